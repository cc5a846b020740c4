package dev.wgmesh.dataplane.noise;

/**
 * Hands out the random 32-bit sender indices that name a handshake (and then its keypair) in messages from the
 * peer (whitepaper §5.4.2: "I_i ... generated randomly"). The device adapts its index table to this.
 *
 * <p>Thread-safe.
 */
public interface IndexAllocator {

    /** A fresh index, unused by any live handshake or keypair, now pointing at {@code handshake}. */
    int allocate(Handshake handshake);

    /** Returns {@code index} to the pool; a no-op for 0 or an index not held. */
    void release(int index);
}
