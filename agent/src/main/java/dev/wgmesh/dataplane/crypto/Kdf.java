package dev.wgmesh.dataplane.crypto;

/**
 * KDF1/KDF2/KDF3 of the whitepaper (§5.4, HKDF of RFC 5869 over HMAC-BLAKE2s with empty info):
 *
 * <pre>
 *   T0 = HMAC(key, input)
 *   T1 = HMAC(T0, 0x1)
 *   T2 = HMAC(T0, T1 ‖ 0x2)
 *   T3 = HMAC(T0, T2 ‖ 0x3)
 * </pre>
 *
 * Each output is a fresh 32-byte array; the pseudo-random key T0 is wiped before returning.
 */
public final class Kdf {
    private static final byte[] ONE = {1};
    private static final byte[] TWO = {2};
    private static final byte[] THREE = {3};

    private Kdf() {}

    /** KDF_n(key, input) for n = 1..3. */
    public static byte[][] derive(int n, byte[] key, byte[] input) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("KDF output count must be 1..3");
        }
        byte[] prk = new byte[Blake2s.HASH_LEN];
        Blake2s.hmac(key, prk, input);
        byte[][] out = new byte[n][Blake2s.HASH_LEN];
        Blake2s.hmac(prk, out[0], ONE);
        if (n > 1) {
            Blake2s.hmac(prk, out[1], out[0], TWO);
        }
        if (n > 2) {
            Blake2s.hmac(prk, out[2], out[1], THREE);
        }
        Keys.wipe(prk);
        return out;
    }

    public static byte[] kdf1(byte[] key, byte[] input) {
        return derive(1, key, input)[0];
    }

    public static byte[][] kdf2(byte[] key, byte[] input) {
        return derive(2, key, input);
    }

    public static byte[][] kdf3(byte[] key, byte[] input) {
        return derive(3, key, input);
    }
}
