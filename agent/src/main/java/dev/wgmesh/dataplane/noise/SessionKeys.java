package dev.wgmesh.dataplane.noise;

import dev.wgmesh.dataplane.crypto.AeadKey;

/**
 * The outcome of a completed handshake (whitepaper §5.4.5): the two transport keys and the indices that name the
 * session on the wire. Ownership of {@code localIndex} passes from the handshake to whoever holds these keys.
 *
 * @param sendKey key for messages we send
 * @param receiveKey key for messages we receive
 * @param localIndex our sender index: peers put it in the receiver field of their transport messages
 * @param remoteIndex the peer's sender index: we put it in our transport messages
 * @param initiator true when we initiated this handshake (only the initiator rekeys on time, §6.2)
 * @param createdNanos monotonic creation time, for REKEY_AFTER_TIME / REJECT_AFTER_TIME
 */
public record SessionKeys(
        AeadKey sendKey, AeadKey receiveKey, int localIndex, int remoteIndex, boolean initiator, long createdNanos) {

    /** Wipes both keys. */
    public void destroy() {
        sendKey.destroy();
        receiveKey.destroy();
    }

    @Override
    public String toString() {
        return "SessionKeys[localIndex=" + Integer.toUnsignedString(localIndex) + ", initiator=" + initiator + "]";
    }
}
