package dev.wgmesh.dataplane.queue;

/**
 * The alternative to DQL the design asks to measure: CoDel applied to the time batches wait for a crypto worker.
 *
 * <ul>
 *   <li><b>Shrink</b> when the wait has stayed at or above {@code target} for a whole {@code interval}: the limit
 *       drops by an eighth, and again every {@code interval / sqrt(count)} while the wait stays high (the CoDel
 *       control law of RFC 8289 §4.3, acting on the limit instead of on packets).
 *   <li><b>Grow</b> when a worker starved: the batch was taken by a worker that had found no work before it, while
 *       the scheduler was being held back by the limit. Each such completion adds its own size to the limit, so a
 *       limit that is too small doubles about once per round trip through crypto.
 * </ul>
 *
 * <p>Together the two keep a small standing wait in front of the workers: never empty (a worker that finishes
 * finds the next batch waiting, even with the completion hand-off delay), never long.
 *
 * <p>Single-threaded (see {@link CryptoBudget}).
 */
public final class CodelWaitBudget implements CryptoBudget {
    public static final long DEFAULT_TARGET_NANOS = 200_000L;
    public static final long DEFAULT_INTERVAL_NANOS = 5_000_000L;

    private final long minLimit;
    private final long maxLimit;
    private final long target;
    private final long interval;

    private long limit;
    private long inFlight;
    private boolean limited;
    private long firstAboveTime;
    private long nextShrink;
    private int count;

    public CodelWaitBudget(long minLimit, long maxLimit, long targetNanos, long intervalNanos) {
        if (minLimit < 1 || maxLimit < minLimit || targetNanos <= 0 || intervalNanos <= targetNanos) {
            throw new IllegalArgumentException("need 1 <= minLimit <= maxLimit and 0 < target < interval");
        }
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.target = targetNanos;
        this.interval = intervalNanos;
        this.limit = minLimit;
    }

    public CodelWaitBudget(long minLimit, long maxLimit) {
        this(minLimit, maxLimit, DEFAULT_TARGET_NANOS, DEFAULT_INTERVAL_NANOS);
    }

    @Override
    public long available(long now) {
        long a = limit - inFlight;
        if (a <= 0) {
            limited = true;
        }
        return a;
    }

    @Override
    public void onDispatched(long bytes, long now) {
        inFlight += bytes;
    }

    @Override
    public void onCompleted(long bytes, long waitNanos, long workerIdleNanos, long now) {
        if (bytes > inFlight) {
            throw new IllegalStateException("completed more than was dispatched");
        }
        inFlight -= bytes;
        if (workerIdleNanos > 0 && limited) {
            limit = Math.min(maxLimit, limit + bytes);
            limited = false;
            firstAboveTime = 0;
            count = 0;
            return;
        }
        if (waitNanos < target) {
            firstAboveTime = 0;
            count = 0;
            return;
        }
        if (firstAboveTime == 0) {
            firstAboveTime = now + interval;
            nextShrink = firstAboveTime;
            return;
        }
        if (now - nextShrink >= 0) {
            count++;
            limit = Math.max(minLimit, limit - limit / 8);
            nextShrink = now + (long) (interval * invSqrt(count));
            limited = false;
        }
    }

    private static double invSqrt(int n) {
        return 1.0 / Math.sqrt(n); // per shrink event (at most a few hundred a second), not per packet
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public long inFlight() {
        return inFlight;
    }
}
