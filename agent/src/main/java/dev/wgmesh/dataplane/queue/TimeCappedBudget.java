package dev.wgmesh.dataplane.queue;

/**
 * Caps another budget at about {@code capNanos} of crypto work, measured: bytes in flight may not exceed the rate
 * at which the workers have been completing bytes times the cap. A packet that leaves FQ-CoDel then waits at most
 * about that long before the workers reach it, whatever the budget underneath grew to.
 *
 * <p>Why: DQL grows whenever the workers starve, and on a loaded machine they starve often (descheduled, or the
 * dispatcher late to reclaim), so it settles at hundreds of kilobytes — several milliseconds of FIFO in front of
 * a sparse flow that FQ-CoDel had just put first. The cap keeps DQL's answer when it is smaller.
 *
 * <p>The cap is {@code minCap} plus the measured amount: the rate is measured through the cap, so without the
 * headroom a cap that once came out too small (one batch for two workers) would measure one worker's rate and stay.
 *
 * <p>Rate: per completion report, bytes over the time since the previous report, counted only when work was in
 * flight during all of it (an idle gap says nothing about capacity); smoothed by an EWMA with weight 1/8. Until the
 * first sample the cap is open. Single-threaded (see {@link CryptoBudget}).
 */
public final class TimeCappedBudget implements CryptoBudget {
    /** About one millisecond of crypto work, the target of the design. */
    public static final long DEFAULT_CAP_NANOS = 1_000_000L;

    private final CryptoBudget inner;
    private final long capNanos;
    private final long minCap;

    /** Completion rate in bytes per millisecond × 8 (EWMA state), 0 before the first sample. */
    private long rateX8;

    private long lastReport;
    private boolean busySinceReport;
    private long cap = Long.MAX_VALUE;

    /**
     * @param minCap headroom above the measured amount (about a batch per worker, so every worker has something
     *     and a faster rate can show)
     */
    public TimeCappedBudget(CryptoBudget inner, long capNanos, long minCap) {
        if (capNanos <= 0 || minCap < 1) {
            throw new IllegalArgumentException("need a positive cap time and minimum");
        }
        this.inner = inner;
        this.capNanos = capNanos;
        this.minCap = minCap;
    }

    /**
     * The parallel path's budget: DQL with a 10 ms slack hold, starting from and never below a batch per crypto
     * thread, capped at about {@link #DEFAULT_CAP_NANOS} of measured crypto work with the same floor as headroom.
     * Shared by the device and the pipeline benchmark, so the benchmark measures what the device runs.
     *
     * <p>Why that floor: DQL starting from one packet takes a hundred milliseconds and more to grow (each step needs a
     * starved round trip through the workers), long enough for CoDel to drop; and with less than a batch per thread
     * some crypto thread (the helping dispatcher counted) has nothing to do. A batch per thread is about 50 µs of
     * work at 10 Gb/s per core.
     *
     * @param packetCost bytes one full-size packet costs
     */
    public static TimeCappedBudget forParallelPath(int cryptoThreads, int batchPackets, long packetCost) {
        long floor = (long) Math.max(1, cryptoThreads) * Math.max(1, batchPackets) * packetCost;
        return new TimeCappedBudget(DqlBudget.shortHold(floor, 4L << 20), DEFAULT_CAP_NANOS, floor);
    }

    @Override
    public long available(long now) {
        return Math.min(inner.available(now), cap - inner.inFlight());
    }

    @Override
    public void onDispatched(long bytes, long now) {
        if (inner.inFlight() == 0) {
            lastReport = now; // an idle gap ends: measure from here
            busySinceReport = true;
        }
        inner.onDispatched(bytes, now);
    }

    @Override
    public void onCompleted(long bytes, long waitNanos, long workerIdleNanos, long now) {
        long elapsed = now - lastReport;
        if (busySinceReport && elapsed > 0) {
            long sample = bytes * 1_000_000L / elapsed; // bytes per ms
            rateX8 = rateX8 == 0 ? sample << 3 : rateX8 - (rateX8 >> 3) + sample;
            cap = minCap + (rateX8 >> 3) * capNanos / 1_000_000L;
        }
        inner.onCompleted(bytes, waitNanos, workerIdleNanos, now);
        lastReport = now;
        busySinceReport = inner.inFlight() > 0;
    }

    /** The effective limit: the smaller of the inner budget's and the time cap. */
    @Override
    public long limit() {
        return Math.min(inner.limit(), cap);
    }

    @Override
    public long inFlight() {
        return inner.inFlight();
    }

    /** The current time cap in bytes ({@code Long.MAX_VALUE} before the first rate sample). */
    public long cap() {
        return cap;
    }
}
