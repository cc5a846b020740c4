package dev.wgmesh.dataplane.timers;

/**
 * What {@link PeerTimers} asks the device to do for one peer when a timer expires. Called on the scheduler
 * thread: implementations must not block (queue the work, send one small packet).
 */
public interface TimerActions {

    /**
     * Start a handshake (whitepaper §6.1). {@code isRetry} is true for a REKEY_TIMEOUT retransmission, false for
     * a fresh one; the device should pass it through to {@link PeerTimers#shouldSendInitiation(boolean)}.
     */
    void sendHandshakeInitiation(boolean isRetry);

    /** Send an empty transport message (a keepalive; §6.5) with the current keypair, or start a handshake. */
    void sendKeepalive();

    /**
     * Forget the sticky source address of the peer's endpoint before a retry, in case a changed local address is
     * why the peer is not answering (wireguard-go {@code markEndpointSrcForClearing}).
     */
    void clearEndpointSource();

    /**
     * The handshake did not complete within REKEY_ATTEMPT_TIME: drop the packets staged for this peer (§6.4); a new
     * attempt starts only when new data is sent.
     */
    void handshakeGaveUp();

    /**
     * No new session for 3 × REJECT_AFTER_TIME: zero every keypair and the handshake state, drop staged packets
     * (§6.3, wireguard-go {@code ZeroAndFlushAll}).
     */
    void zeroKeyMaterial();
}
