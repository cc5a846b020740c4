package dev.wgmesh.dataplane.noise;

/**
 * Finds the peer an initiation comes from by the static public key it decrypted to (whitepaper §5.4.2: the
 * responder learns who initiated only after decrypting {@code msg.static}).
 */
@FunctionalInterface
public interface PeerLookup {

    /** The handshake of the peer with public key {@code key[off..off+32)}, or null when there is no such peer. */
    Handshake lookup(byte[] key, int off);
}
