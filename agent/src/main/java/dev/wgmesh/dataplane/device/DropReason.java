package dev.wgmesh.dataplane.device;

/** Why the device dropped a packet; each has a counter ({@link DeviceCounters}). */
public enum DropReason {
    /** Outer datagram is not a well-formed WireGuard message (type, reserved bytes, size). */
    MALFORMED,
    /** Transport data for an index we do not know (or whose keypair is gone). */
    UNKNOWN_INDEX,
    /** Transport data that failed authentication (AEAD tag). */
    AUTH_FAILURE,
    /** Handshake message with an invalid mac1 (not meant for our key, or damaged). */
    MAC1_INVALID,
    /**
     * Handshake message that failed Noise processing: decryption, unknown peer, replayed or too frequent initiation,
     * response to no pending initiation.
     */
    HANDSHAKE_REJECTED,
    /** Transport data whose counter was seen before or is too old for the window (RFC 6479). */
    REPLAY,
    /** Transport data for a keypair older than REJECT_AFTER_TIME or past REJECT_AFTER_MESSAGES. */
    KEY_EXPIRED,
    /** Decrypted inner packet is not a plausible IPv4/IPv6 packet. */
    INVALID_INNER,
    /** Decrypted inner packet's source address is not in the sending peer's allowed IPs. */
    SOURCE_NOT_ALLOWED,
    /** Packet from the TUN whose destination no peer's allowed IPs cover. */
    NO_ROUTE,
    /** Peer has no endpoint to send to. */
    NO_ENDPOINT,
    /** Staged-packet queue of a peer was full (oldest dropped), or staged packets were flushed (give-up, zeroing). */
    STAGED_OVERFLOW,
    /** Parallel mode: the hand-off queue from an I/O thread to the dispatcher was full. */
    QUEUE_OVERFLOW,
    /** No free packet buffer. */
    NO_BUFFER,
    /** Handshake queue full, or rate limited under load. */
    HANDSHAKE_RATE_LIMITED,
    /** UDP or TUN write failed. */
    IO_ERROR
}
