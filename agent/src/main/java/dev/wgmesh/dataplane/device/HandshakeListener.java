package dev.wgmesh.dataplane.device;

/**
 * Told when a peer's handshake completes or gives up, for control planes and logs ({@link Device#setHandshakeListener}).
 *
 * <p>Called off the data path: on the handshake worker thread (completed) and the timer scheduler's thread
 * (failed). Implementations must return quickly and never block (queue the work); an exception is logged and
 * otherwise ignored. The public key array is the caller's: copy it to keep it.
 */
public interface HandshakeListener {
    /**
     * A handshake with the peer completed and a new session was derived (whitepaper §5.4.5): as initiator when we
     * consumed the peer's response, as responder when we answered its initiation.
     *
     * @param rttNanos initiator only: time from sending the initiation the response answers to consuming it; 0 as
     *     responder
     */
    void onHandshakeCompleted(byte[] publicKey, boolean initiator, long rttNanos);

    /**
     * No handshake completed within REKEY_ATTEMPT_TIME (§6.4): the device gave up and dropped the packets staged for
     * the peer; a new attempt starts with the next packet or keepalive.
     *
     * @param attempts initiations sent in the attempt
     */
    void onHandshakeFailed(byte[] publicKey, int attempts);

    HandshakeListener NONE = new HandshakeListener() {
        @Override
        public void onHandshakeCompleted(byte[] publicKey, boolean initiator, long rttNanos) {}

        @Override
        public void onHandshakeFailed(byte[] publicKey, int attempts) {}
    };
}
