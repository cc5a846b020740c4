package dev.wgmesh.dataplane.time;

import java.time.Instant;

/** The JVM's clocks: {@link System#nanoTime()} and the UTC wall clock. */
public final class SystemClock implements Clock {
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long epochNanos() {
        // Called once per handshake, so the Instant allocation does not matter.
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
