package dev.wgmesh.agent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential growth capped at a maximum, with <em>full jitter</em> (a uniformly random delay
 * between zero and the current ceiling), so thousands of agents that lost the same controller do not come back in
 * lock-step (the "thundering herd" NetBird and Tailscale users saw). {@link #reset()} after a session that lasted.
 *
 * <p>Not thread-safe: one instance per connection loop.
 */
public final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private final RandomGenerator random;
    private long ceilingMillis;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
        this.ceilingMillis = initialMillis;
    }

    /** The next delay to wait: uniform in [0, ceiling]; the ceiling then doubles up to the maximum. */
    public Duration next() {
        long delay = random.nextLong(ceilingMillis + 1);
        ceilingMillis = Math.min(maxMillis, ceilingMillis * 2);
        return Duration.ofMillis(delay);
    }

    /** The next delay, but at least {@code floor} (a controller's Reconnect or retry-after hint). */
    public Duration nextAtLeast(Duration floor) {
        Duration d = next();
        return d.compareTo(floor) < 0 ? floor.plus(d) : d;
    }

    public void reset() {
        ceilingMillis = initialMillis;
    }
}
