package dev.wgmesh.dataplane.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) as WireGuard uses it (whitepaper §5.4): the 96-bit nonce is 4 zero bytes followed
 * by a 64-bit little-endian counter. Backed by the JDK's JCE implementation, which has CPU intrinsics for the
 * ChaCha20 block function and Poly1305.
 *
 * <pre>
 *   seal:  buf[off .. off+len)            plaintext   →  buf[off .. off+len+16)  ciphertext ‖ tag
 *   open:  buf[off .. off+len)  ciphertext ‖ tag      →  buf[off .. off+len-16)  plaintext
 * </pre>
 *
 * <p>Threading: not thread-safe. Each thread that encrypts or decrypts owns one instance (it wraps one reusable
 * {@link Cipher}); keys are passed per call, so one instance serves every keypair.
 *
 * <p>Allocation: the nonce array is reused, but the JCE API forces some garbage per packet that we cannot avoid
 * through it: {@code IvParameterSpec} copies the nonce (and the provider copies it again), the provider asks the
 * key for a fresh copy ({@link AeadKey#getEncoded}), and {@code ChaCha20Cipher.init} builds a new engine and
 * Poly1305 authenticator each time. {@code CryptoBench} measures it with {@code -prof gc}; it is short-lived
 * young-generation garbage.
 */
public final class ChaChaPoly {
    public static final int TAG_LEN = 16;
    public static final int NONCE_LEN = 12;
    private static final byte[] EMPTY = new byte[0];

    private final Cipher cipher;
    private final byte[] nonce = new byte[NONCE_LEN];

    public ChaChaPoly() {
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks ChaCha20-Poly1305", e);
        }
    }

    /**
     * Encrypts {@code buf[off..off+len)} in place and appends the tag; {@code buf} must have 16 bytes of room after
     * the plaintext. Empty associated data (transport data).
     *
     * @return {@code len + 16}
     */
    public int seal(AeadKey key, long counter, byte[] buf, int off, int len) {
        return seal(key, counter, EMPTY, 0, 0, buf, off, len, buf, off);
    }

    /**
     * Decrypts {@code buf[off..off+len)} (ciphertext ‖ tag) in place.
     *
     * @return the plaintext length {@code len - 16}, or -1 when authentication fails (nothing is written then)
     */
    public int open(AeadKey key, long counter, byte[] buf, int off, int len) {
        return open(key, counter, EMPTY, 0, 0, buf, off, len, buf, off);
    }

    /** Out-of-place {@link #open(AeadKey, long, byte[], int, int)}: plaintext goes to {@code out[outOff..)}. */
    public int open(AeadKey key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        return open(key, counter, EMPTY, 0, 0, in, inOff, len, out, outOff);
    }

    /** General form: seals {@code in[inOff..inOff+len)} with associated data into {@code out[outOff..)}. */
    public int seal(
            AeadKey key,
            long counter,
            byte[] ad,
            int adOff,
            int adLen,
            byte[] in,
            int inOff,
            int len,
            byte[] out,
            int outOff) {
        try {
            init(Cipher.ENCRYPT_MODE, key, counter);
            if (adLen > 0) {
                cipher.updateAAD(ad, adOff, adLen);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("no room for the tag", e);
        } catch (GeneralSecurityException e) {
            // Only reachable when sealing twice with the same key and counter, a local bug.
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /** General form of {@link #open(AeadKey, long, byte[], int, int)} with associated data; -1 on failure. */
    public int open(
            AeadKey key,
            long counter,
            byte[] ad,
            int adOff,
            int adLen,
            byte[] in,
            int inOff,
            int len,
            byte[] out,
            int outOff) {
        if (len < TAG_LEN) {
            return -1;
        }
        try {
            init(Cipher.DECRYPT_MODE, key, counter);
            if (adLen > 0) {
                cipher.updateAAD(ad, adOff, adLen);
            }
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("output too small", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    private void init(int mode, AeadKey key, long counter)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        // nonce = 0x00000000 ‖ LE64(counter); the first four bytes stay zero for ever.
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(mode, key, new IvParameterSpec(nonce));
    }
}
