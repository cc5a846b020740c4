package dev.wgmesh.dataplane.device;

import java.util.Arrays;

/** A peer's public key as a map key (public keys are not secret, so ordinary equality is fine). */
record PublicKeyId(byte[] key) {
    static PublicKeyId of(byte[] src, int off) {
        return new PublicKeyId(Arrays.copyOfRange(src, off, off + 32));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKeyId other && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return dev.wgmesh.dataplane.crypto.Keys.toBase64(key);
    }
}
