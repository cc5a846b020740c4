package dev.wgmesh.dataplane.pipeline;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * Up to {@code capacity} packets of one peer, handed between threads as a unit: dispatcher → worker queue →
 * worker → the peer's reorder ring → sink → back to the dispatcher. Reused; owned by one stage at a time, with
 * the queues (and {@link #done}) publishing the fields.
 */
final class Batch {
    final PacketBuffer[] packets;
    int count;
    /** Budget bytes charged for the packets (what the dispatcher reported to the CryptoBudget). */
    long bytes;

    PeerLane lane;
    long dispatchNanos;
    /** When its first packet came (dispatcher thread): bounds how long a partial batch is held back. */
    long openedNanos;

    long startNanos;
    /** How long the worker that took this batch had been without work before it (0: came from another batch). */
    long workerIdleNanos;
    /** Set by the worker when the crypto work is finished; the release that publishes the packets. */
    volatile boolean done;

    Batch(int capacity) {
        packets = new PacketBuffer[capacity];
    }

    void reset() {
        for (int i = 0; i < count; i++) {
            packets[i] = null;
        }
        count = 0;
        bytes = 0;
        lane = null;
        done = false;
    }
}
