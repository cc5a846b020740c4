package dev.wgmesh.dataplane.noise;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;

/**
 * This device's static key pair and the per-key values every incoming initiation needs. Immutable; replaced as a
 * whole when the private key changes.
 */
public final class LocalIdentity {
    private final byte[] privateKey;
    private final byte[] publicKey;
    /** HASH(H0 ‖ our public key): the hash every initiation to us starts from. */
    private final byte[] initialHash;

    public LocalIdentity(byte[] privateKey) {
        if (privateKey.length != X25519.KEY_LEN) {
            throw new IllegalArgumentException("private key must be 32 bytes");
        }
        this.privateKey = privateKey.clone();
        X25519.clamp(this.privateKey);
        this.publicKey = X25519.publicKey(this.privateKey);
        this.initialHash = NoiseConstants.initialHash(publicKey);
    }

    /** Our public key; callers must not modify it. */
    public byte[] publicKey() {
        return publicKey;
    }

    byte[] privateKey() {
        return privateKey;
    }

    byte[] initialHash() {
        return initialHash;
    }

    /** DH(our private key, {@code remote[off..off+32)}) into {@code out}; false for an all-zero result. */
    boolean dh(byte[] remote, int off, byte[] out) {
        return X25519.sharedSecret(privateKey, remote, off, out, 0);
    }

    /** Wipes the private key; the identity must not be used afterwards. */
    public void destroy() {
        Keys.wipe(privateKey);
    }

    @Override
    public String toString() {
        return "LocalIdentity[public=" + Keys.toBase64(publicKey) + "]";
    }
}
