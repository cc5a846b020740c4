package dev.wgmesh.dataplane.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * The three distinct BLAKE2s uses of WireGuard (whitepaper §5.4, "Cryptographic primitives"), kept apart on purpose
 * because mixing them up is a classic interop bug:
 *
 * <ul>
 *   <li>{@link #hash}: HASH = unkeyed BLAKE2s-256 (RFC 7693).
 *   <li>{@link #mac}: MAC = <em>keyed</em> BLAKE2s with a 16-byte output (RFC 7693 keyed mode, not HMAC); used for
 *       mac1, mac2 and cookies.
 *   <li>{@link #hmac}: HMAC-BLAKE2s-256 (RFC 2104 with a 64-byte block), the building block of {@link Kdf}.
 * </ul>
 *
 * <p>These run on the handshake path only (a few per handshake), so they allocate a digest per call.
 */
public final class Blake2s {
    public static final int HASH_LEN = 32;
    public static final int MAC_LEN = 16;
    static final int BLOCK_LEN = 64;

    private Blake2s() {}

    /** HASH(a ‖ b ‖ ...) into a fresh 32-byte array. */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_LEN];
        d.doFinal(out, 0);
        return out;
    }

    /** HASH(data[off..off+len)) written to {@code out[outOff..outOff+32)}. */
    public static void hash(byte[] data, int off, int len, byte[] out, int outOff) {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(data, off, len);
        d.doFinal(out, outOff);
    }

    /** h = HASH(h ‖ data[off..off+len)), the Noise MixHash step, in place. */
    public static void mixHash(byte[] h, byte[] data, int off, int len) {
        Blake2sDigest d = new Blake2sDigest(256);
        d.update(h, 0, HASH_LEN);
        d.update(data, off, len);
        d.doFinal(h, 0);
    }

    /** MAC(key, data[off..off+len)) = keyed BLAKE2s-128, written to {@code out[outOff..outOff+16)}. */
    public static void mac(byte[] key, byte[] data, int off, int len, byte[] out, int outOff) {
        keyed(key, MAC_LEN, data, off, len, out, outOff);
    }

    /** Keyed (or, with a null key, unkeyed) BLAKE2s with an {@code outLen}-byte digest (RFC 7693 §3.3). */
    static void keyed(byte[] key, int outLen, byte[] data, int off, int len, byte[] out, int outOff) {
        Blake2sDigest d = key == null || key.length == 0
                ? new Blake2sDigest(outLen * 8)
                : new Blake2sDigest(key, outLen, null, null);
        d.update(data, off, len);
        d.doFinal(out, outOff);
    }

    /** HMAC-BLAKE2s(key, data...) into {@code out[0..32)}; RFC 2104 with B = 64. */
    public static void hmac(byte[] key, byte[] out, byte[]... data) {
        byte[] k = new byte[BLOCK_LEN];
        if (key.length > BLOCK_LEN) {
            hash(key, 0, key.length, k, 0);
        } else {
            System.arraycopy(key, 0, k, 0, key.length);
        }
        byte[] pad = new byte[BLOCK_LEN];
        for (int i = 0; i < BLOCK_LEN; i++) {
            pad[i] = (byte) (k[i] ^ 0x36);
        }
        Blake2sDigest inner = new Blake2sDigest(256);
        inner.update(pad, 0, BLOCK_LEN);
        for (byte[] p : data) {
            inner.update(p, 0, p.length);
        }
        byte[] innerHash = new byte[HASH_LEN];
        inner.doFinal(innerHash, 0);
        for (int i = 0; i < BLOCK_LEN; i++) {
            pad[i] = (byte) (k[i] ^ 0x5c);
        }
        Blake2sDigest outer = new Blake2sDigest(256);
        outer.update(pad, 0, BLOCK_LEN);
        outer.update(innerHash, 0, HASH_LEN);
        outer.doFinal(out, 0);
        Keys.wipe(k);
        Keys.wipe(pad);
        Keys.wipe(innerHash);
    }
}
