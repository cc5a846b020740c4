package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * The "counter source" of a receive tin: a received transport message already carries its counter (set in
 * {@code PacketBuffer.counter} by the receiver), so departing packets keep it; always ready.
 */
public final class CarriedCounter implements CounterSource {
    public static final CarriedCounter INSTANCE = new CarriedCounter();

    private CarriedCounter() {}

    @Override
    public long next() {
        throw new UnsupportedOperationException("the scheduler always passes the packet");
    }

    @Override
    public long next(PacketBuffer b) {
        return b.counter;
    }
}
