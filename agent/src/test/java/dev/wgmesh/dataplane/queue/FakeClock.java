package dev.wgmesh.dataplane.queue;

import java.util.function.LongSupplier;

/** A nanosecond clock the test moves by hand. */
public final class FakeClock implements LongSupplier {
    public long now = 1_000_000_000L;

    @Override
    public long getAsLong() {
        return now;
    }

    public void advanceMillis(long ms) {
        now += ms * 1_000_000L;
    }
}
