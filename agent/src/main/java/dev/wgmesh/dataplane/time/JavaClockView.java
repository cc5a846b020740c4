package dev.wgmesh.dataplane.time;

import java.time.Instant;
import java.time.ZoneId;

/** {@link Clock#epochNanos()} seen through the {@link java.time.Clock} API. */
final class JavaClockView extends java.time.Clock {
    private final Clock clock;
    private final ZoneId zone;

    JavaClockView(Clock clock, ZoneId zone) {
        this.clock = clock;
        this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public java.time.Clock withZone(ZoneId zone) {
        return new JavaClockView(clock, zone);
    }

    @Override
    public Instant instant() {
        long nanos = clock.epochNanos();
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    @Override
    public long millis() {
        return Math.floorDiv(clock.epochNanos(), 1_000_000L);
    }
}
