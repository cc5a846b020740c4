package dev.wgmesh.dataplane.crypto;

/**
 * Curve25519 Diffie-Hellman (RFC 7748) through BouncyCastle's constant-time implementation, which measured
 * faster than the JDK's XDH provider on this machine (see {@code X25519Bench}; WIREGUARD.md records ~1.7x).
 *
 * <p>DH(private, public) rejects an all-zero shared secret (a low-order public key), as the whitepaper requires
 * (§5.4: "DH ... the all-zero value MUST be rejected"; RFC 7748 §6.1).
 */
public final class X25519 {
    public static final int KEY_LEN = 32;

    static {
        org.bouncycastle.math.ec.rfc7748.X25519.precompute();
    }

    private X25519() {}

    /** RFC 7748 §5 clamping of a private scalar, in place. */
    public static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    /** The public key for {@code privateKey} (clamped internally, the argument is not modified). */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] pub = new byte[KEY_LEN];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    /**
     * Writes DH(privateKey, publicKey[pubOff..]) to {@code out[outOff..outOff+32)}.
     *
     * @return false when the shared secret is all zero (low-order point); the output must then not be used
     */
    public static boolean sharedSecret(byte[] privateKey, byte[] publicKey, int pubOff, byte[] out, int outOff) {
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(privateKey, 0, publicKey, pubOff, out, outOff);
        return !ConstantTime.isZero(out, outOff, KEY_LEN);
    }

    /** The raw RFC 7748 X25519(k, u) function, for test vectors. */
    public static byte[] scalarMult(byte[] k, byte[] u) {
        byte[] out = new byte[KEY_LEN];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(k, 0, u, 0, out, 0);
        return out;
    }
}
