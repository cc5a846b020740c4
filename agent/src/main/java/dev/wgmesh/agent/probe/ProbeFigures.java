package dev.wgmesh.agent.probe;

/**
 * Latency figures of one peer: the last round trip, and min/mean/p99 and loss over the last completed report
 * interval. Times in microseconds; 0 when no probe was answered.
 *
 * @param lastRttMicros the most recent answered probe, whenever it was
 * @param minRttMicros smallest round trip in the interval
 * @param avgRttMicros mean round trip in the interval
 * @param p99RttMicros 99th percentile round trip in the interval (within 6.25 %, see {@link RttHistogram})
 * @param answered probes answered in the interval
 * @param lost probes that timed out in the interval
 */
public record ProbeFigures(
        long lastRttMicros, long minRttMicros, long avgRttMicros, long p99RttMicros, long answered, long lost) {

    static final ProbeFigures NONE = new ProbeFigures(0, 0, 0, 0, 0, 0);

    /** Share of the interval's settled probes that were lost, 0..1; 0 when no probe settled yet. */
    public float loss() {
        long settled = answered + lost;
        return settled == 0 ? 0f : (float) lost / settled;
    }

    ProbeFigures withLast(long last) {
        return new ProbeFigures(last, minRttMicros, avgRttMicros, p99RttMicros, answered, lost);
    }
}
