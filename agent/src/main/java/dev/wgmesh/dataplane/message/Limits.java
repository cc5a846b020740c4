package dev.wgmesh.dataplane.message;

/**
 * Our own implementation limits (not protocol values; see {@link WireGuardSpec} for those). Where a value copies
 * wireguard-go's choice, the comment says so.
 */
public final class Limits {
    private Limits() {}

    /** Default tunnel MTU, as wg-quick uses on Ethernet (1500 − 80 bytes of outer IPv6 + UDP + WireGuard). */
    public static final int DEFAULT_MTU = 1420;
    /** Largest inner packet we accept from the TUN. */
    public static final int MAX_INNER_PACKET = 65535 - 80;
    /** Packets held per peer while no session exists (wireguard-go QueueStagedSize). */
    public static final int STAGED_PACKETS_PER_PEER = 128;
    /** Handshake messages queued for the handshake worker (wireguard-go QueueHandshakeSize). */
    public static final int HANDSHAKE_QUEUE_SIZE = 1024;
    /** Queue depth from which the device counts as under load and demands cookies (wireguard-go: size / 8). */
    public static final int UNDER_LOAD_QUEUE_DEPTH = HANDSHAKE_QUEUE_SIZE / 8;
    /** Once under load, stay so for this long after the queue drains (wireguard-go UnderLoadAfterTime). */
    public static final long UNDER_LOAD_AFTER_NANOS = 1_000_000_000L;
    /** Handshake rate limiter: packets per second per source address, and burst (wireguard-go ratelimiter.go). */
    public static final int HANDSHAKES_PER_SECOND_PER_SOURCE = 20;

    public static final int HANDSHAKE_BURST_PER_SOURCE = 5;
    /** Rate-limiter entries idle for this long are garbage collected. */
    public static final long RATE_LIMITER_GC_NANOS = 1_000_000_000L;
    /** Upper bound on rate-limiter entries, so a spoofing flood cannot grow the table without bound. */
    public static final int RATE_LIMITER_MAX_ENTRIES = 65536;
}
