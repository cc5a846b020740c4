package dev.wgmesh.dataplane.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A 32-byte ChaCha20-Poly1305 key that can be wiped ({@link #destroy}), unlike {@code SecretKeySpec} which keeps
 * its own copy for ever.
 *
 * <p>{@link #getEncoded} must return a copy: the JDK cipher zeroes the array it was given when it is re-initialised
 * with the next key, which would otherwise wipe this key under our feet.
 */
public final class AeadKey implements SecretKey {
    public static final int LEN = 32;
    private final byte[] key;
    private volatile boolean destroyed;

    /** Copies {@code src[off..off+32)}. */
    public AeadKey(byte[] src, int off) {
        this.key = Arrays.copyOfRange(src, off, off + LEN);
    }

    public AeadKey(byte[] src) {
        this(src, 0);
    }

    @Override
    public String getAlgorithm() {
        return "ChaCha20";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key destroyed");
        }
        return key.clone();
    }

    /** Zeroes the key; later use fails. */
    @Override
    public void destroy() {
        destroyed = true;
        Keys.wipe(key);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "AeadKey[redacted]";
    }
}
