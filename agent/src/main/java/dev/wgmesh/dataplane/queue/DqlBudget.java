package dev.wgmesh.dataplane.queue;

/**
 * Dynamic queue limits after Linux {@code lib/dynamic_queue_limits.c} (the algorithm behind BQL), applied to bytes
 * in flight to the crypto workers.
 *
 * <ul>
 *   <li><b>Grow</b> when the consumer starved: the limit was exceeded in the last interval and everything queued
 *       has now completed (the workers ran dry while the scheduler was held back). The limit grows by what was
 *       completed past the previous interval's queue plus the previous over-limit amount.
 *   <li><b>Shrink</b> by slack: while the queue stays busy, slack = limit + previous over-limit − 2 × completed in
 *       the interval (at least the non-overlimit part of the last object); after {@code holdNanos} the limit drops
 *       by the lowest slack seen over the hold time.
 * </ul>
 *
 * <p>Like Linux, it infers starvation from the byte counts alone and ignores the wait and idle times it is given.
 *
 * <p>Linux holds for one second ({@code slack_hold_time = HZ}), which reacts slowly; {@link #shortHold} is the
 * faster variant the design asks to compare. Single-threaded (see {@link CryptoBudget}).
 */
public final class DqlBudget implements CryptoBudget {
    /** Linux's default slack hold time. */
    public static final long LINUX_HOLD_NANOS = 1_000_000_000L;
    /** The shorter hold time compared against Linux's. */
    public static final long SHORT_HOLD_NANOS = 10_000_000L;

    private final long minLimit;
    private final long maxLimit;
    private final long holdNanos;

    private long limit;
    private long numQueued;
    private long numCompleted;
    private long adjLimit;
    private long prevOvlimit;
    private long prevNumQueued;
    private long lastObjCnt;
    private long prevLastObjCnt;
    private long lowestSlack = Long.MAX_VALUE;
    private long slackStartTime;
    private boolean started;

    public DqlBudget(long minLimit, long maxLimit, long holdNanos) {
        if (minLimit < 1 || maxLimit < minLimit || holdNanos < 0) {
            throw new IllegalArgumentException("DQL needs 1 <= minLimit <= maxLimit and a hold time >= 0");
        }
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.holdNanos = holdNanos;
        this.limit = minLimit;
        this.adjLimit = minLimit;
    }

    /** Linux's behaviour: one-second slack hold. */
    public static DqlBudget linux(long minLimit, long maxLimit) {
        return new DqlBudget(minLimit, maxLimit, LINUX_HOLD_NANOS);
    }

    /** The faster-shrinking variant: 10 ms slack hold. */
    public static DqlBudget shortHold(long minLimit, long maxLimit) {
        return new DqlBudget(minLimit, maxLimit, SHORT_HOLD_NANOS);
    }

    /**
     * Linux stops the queue only once it is over the limit ({@code dql_avail < 0}), so the last object always takes
     * the queue past it and a starved queue shows an over-limit amount; the {@code + 1} maps "not over the limit"
     * onto this interface's "dispatch while positive".
     */
    @Override
    public long available(long now) {
        return adjLimit - numQueued + 1;
    }

    @Override
    public void onDispatched(long bytes, long now) {
        lastObjCnt = bytes;
        numQueued += bytes;
    }

    @Override
    public void onCompleted(long count, long waitNanos, long workerIdleNanos, long now) {
        if (!started) {
            started = true;
            slackStartTime = now;
        }
        if (count > numQueued - numCompleted) {
            throw new IllegalStateException("completed more than was dispatched");
        }
        long completed = numCompleted + count;
        long lim = limit;
        long ovlimit = Math.max(0, numQueued - numCompleted - lim);
        long inprogress = numQueued - completed;
        long prevInprogress = prevNumQueued - numCompleted;
        boolean allPrevCompleted = completed >= prevNumQueued;

        if ((ovlimit > 0 && inprogress == 0) || (prevOvlimit > 0 && allPrevCompleted)) {
            // Starved: over the limit last interval and now empty (or each interval drained before the next).
            lim += Math.max(0, completed - prevNumQueued) + prevOvlimit;
            slackStartTime = now;
            lowestSlack = Long.MAX_VALUE;
        } else if (inprogress > 0 && prevInprogress > 0 && !allPrevCompleted) {
            // Busy the whole interval: the excess above what prevents starvation is slack.
            long slack = Math.max(0, lim + prevOvlimit - 2 * (completed - numCompleted));
            long slackLastObjs = prevOvlimit > 0 ? Math.max(0, prevLastObjCnt - prevOvlimit) : 0;
            slack = Math.max(slack, slackLastObjs);
            lowestSlack = Math.min(lowestSlack, slack);
            if (now - slackStartTime > holdNanos) {
                lim = Math.max(0, lim - lowestSlack);
                slackStartTime = now;
                lowestSlack = Long.MAX_VALUE;
            }
        }
        lim = Math.clamp(lim, minLimit, maxLimit);
        if (lim != limit) {
            limit = lim;
            ovlimit = 0;
        }
        adjLimit = lim + completed;
        prevOvlimit = ovlimit;
        prevLastObjCnt = lastObjCnt;
        numCompleted = completed;
        prevNumQueued = numQueued;
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public long inFlight() {
        return numQueued - numCompleted;
    }
}
