package dev.wgmesh.dataplane.crypto;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §2.3), used only for cookie replies (whitepaper §5.4.7):
 *
 * <pre>
 *   subkey = HChaCha20(key, nonce[0..16))
 *   AEAD   = ChaCha20-Poly1305(subkey, 0x00000000 ‖ nonce[16..24), ad, data)
 * </pre>
 *
 * The 8 trailing nonce bytes form the 64-bit little-endian counter of {@link ChaChaPoly}'s nonce layout, so the
 * inner AEAD is exactly the transport one. Allocates (cookie replies are rare and rate limited).
 */
public final class XChaChaPoly {
    public static final int NONCE_LEN = 24;

    private XChaChaPoly() {}

    /** Seals {@code plaintext} → ciphertext ‖ tag written to {@code out[outOff..)}. */
    public static void seal(
            byte[] key, byte[] nonce, int nonceOff, byte[] ad, byte[] plaintext, byte[] out, int outOff) {
        AeadKey sub = subkey(key, nonce, nonceOff);
        try {
            new ChaChaPoly()
                    .seal(
                            sub,
                            counterOf(nonce, nonceOff),
                            ad,
                            0,
                            ad.length,
                            plaintext,
                            0,
                            plaintext.length,
                            out,
                            outOff);
        } finally {
            sub.destroy();
        }
    }

    /**
     * Opens {@code in[inOff..inOff+len)} (ciphertext ‖ tag) into {@code out[outOff..)}.
     *
     * @return plaintext length or -1 when authentication fails
     */
    public static int open(
            byte[] key, byte[] nonce, int nonceOff, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        AeadKey sub = subkey(key, nonce, nonceOff);
        try {
            return new ChaChaPoly()
                    .open(sub, counterOf(nonce, nonceOff), ad, 0, ad.length, in, inOff, len, out, outOff);
        } finally {
            sub.destroy();
        }
    }

    private static AeadKey subkey(byte[] key, byte[] nonce, int nonceOff) {
        byte[] sub = HChaCha20.derive(key, nonce, nonceOff);
        AeadKey k = new AeadKey(sub);
        Keys.wipe(sub);
        return k;
    }

    private static long counterOf(byte[] nonce, int nonceOff) {
        long c = 0;
        for (int i = 0; i < 8; i++) {
            c |= (nonce[nonceOff + 16 + i] & 0xffL) << (8 * i);
        }
        return c;
    }
}
