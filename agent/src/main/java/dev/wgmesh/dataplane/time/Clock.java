package dev.wgmesh.dataplane.time;

import java.time.ZoneOffset;

/**
 * The two clocks a WireGuard device needs.
 *
 * <ul>
 *   <li>{@link #nanoTime()} — monotonic, for every timer and key age (whitepaper §6); never goes backwards.
 *   <li>{@link #epochNanos()} — wall clock, for TAI64N handshake timestamps (§5.4.2) and {@code
 *       last_handshake_time} in UAPI; may jump.
 * </ul>
 *
 * <p>Implementations are thread-safe. {@link SystemClock} for real use, {@link FakeClock} for tests.
 */
public interface Clock {

    /** Monotonic nanoseconds from an arbitrary origin; compare values by subtraction only. */
    long nanoTime();

    /** Nanoseconds since 1970-01-01T00:00:00Z. */
    long epochNanos();

    /**
     * This clock's wall time as a {@link java.time.Clock}, for APIs that take one (the handshake's TAI64N source),
     * so a {@link FakeClock} drives them too.
     */
    default java.time.Clock asJavaClock() {
        return new JavaClockView(this, ZoneOffset.UTC);
    }
}
