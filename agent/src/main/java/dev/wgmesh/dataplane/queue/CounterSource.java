package dev.wgmesh.dataplane.queue;

/**
 * A peer's sequence of transport counters (nonces), supplied by the device for the peer's current keypair; e.g.
 * {@code AtomicLong::getAndIncrement}. Called by the scheduler thread when a packet leaves the scheduler — never at
 * enqueue — so scheduling (which reorders packets of different flows) can never hand the receiver counters out of
 * order and eat its replay window (whitepaper §5.4.6).
 */
@FunctionalInterface
public interface CounterSource {
    /** The next counter, or a negative value when the keypair may not send any more (the packet is dropped). */
    long next();
}
