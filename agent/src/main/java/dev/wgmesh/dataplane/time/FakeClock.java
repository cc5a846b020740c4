package dev.wgmesh.dataplane.time;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A clock that only moves when a test calls {@link #advance}; it also drives every {@link ManualScheduler} built
 * on it. Lives in main sources because device tests in other packages build on it.
 */
public final class FakeClock implements Clock {
    private static final long DEFAULT_EPOCH_NANOS = TimeUnit.SECONDS.toNanos(1_700_000_000L);

    private final List<ManualScheduler> schedulers = new CopyOnWriteArrayList<>();
    private final long epochOffset;
    private volatile long now;

    /** Starts at an arbitrary non-zero monotonic time, with the wall clock at 2023-11-14T22:13:20Z. */
    public FakeClock() {
        this(TimeUnit.HOURS.toNanos(1), DEFAULT_EPOCH_NANOS);
    }

    public FakeClock(long startNanos, long startEpochNanos) {
        this.now = startNanos;
        this.epochOffset = startEpochNanos - startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public long epochNanos() {
        return now + epochOffset;
    }

    /**
     * Moves time forward by {@code nanos}, running every timer that falls due on the way at its own deadline, in
     * order, on the calling thread.
     */
    public synchronized void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time only moves forward");
        }
        long target = now + nanos;
        while (true) {
            ManualScheduler next = null;
            long nextAt = target;
            for (ManualScheduler s : schedulers) {
                if (!s.hasWakeups()) {
                    continue;
                }
                long at = s.nextWakeup();
                if (at - nextAt <= 0 && (next == null || at - nextAt < 0)) {
                    next = s;
                    nextAt = at;
                }
            }
            if (next == null) {
                break;
            }
            if (nextAt - now > 0) {
                now = nextAt;
            }
            if (!next.runOneDue(now)) {
                break;
            }
        }
        now = target;
    }

    /** {@link #advance} in milliseconds, for readable tests. */
    public void advanceMillis(long millis) {
        advance(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    void register(ManualScheduler scheduler) {
        schedulers.add(scheduler);
    }
}
