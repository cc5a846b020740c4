package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * A peer's sequence of transport counters (nonces), supplied by the device for the peer's current keypair; e.g.
 * {@code AtomicLong::getAndIncrement}. Called by the scheduler thread when a packet leaves the scheduler — never at
 * enqueue — so scheduling (which reorders packets of different flows) can never hand the receiver counters out of
 * order and eat its replay window (whitepaper §5.4.6).
 *
 * <p>The counter and the keypair it belongs to must be taken together (wireguard-go takes both in one step): a
 * device overrides {@link #next(PacketBuffer)} to also note which keypair it used, e.g. its receiver index in
 * {@code b.tag}, so the crypto stage seals with that keypair even if a new one became current meanwhile.
 */
@FunctionalInterface
public interface CounterSource {
    /** The next counter, or a negative value when the keypair may not send any more (the packet is dropped). */
    long next();

    /**
     * The next counter for this packet; what the scheduler calls. May record the keypair in the packet's
     * {@code tag} (the scheduler sets {@code counter} and {@code owner} itself, and leaves {@code tag} alone).
     */
    default long next(PacketBuffer b) {
        return next();
    }

    /**
     * Whether the peer can take counters now (it has a usable keypair). A tin whose source is not ready is parked
     * by {@link PeerScheduler}: its packets stay queued (the staging queue of a peer waiting for a handshake) until
     * {@link PeerScheduler#resumeReady} finds it ready. Scheduler thread.
     */
    default boolean ready() {
        return true;
    }
}
