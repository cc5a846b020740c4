package dev.wgmesh.dataplane.stats;

/**
 * A fixed log-scale histogram of nanosecond durations: four buckets per power of two (about 19% wide), from 1 µs
 * (everything below falls into bucket 0) up to about 2^40 ns (18 minutes; everything above falls into the last
 * bucket). Recording is a couple of integer operations and one counter write; percentiles are read from the buckets
 * (the upper bound of the bucket holding the rank), so they are accurate to one bucket width.
 *
 * <p>One writer thread (the scheduler), any number of readers (see {@link SingleWriterCounters}).
 */
public final class LogHistogram {
    /** log2 of the smallest bucket's upper bound: 2^10 ns ≈ 1 µs. */
    static final int MIN_SHIFT = 10;

    static final int SUB_BUCKETS = 4;
    static final int MAX_SHIFT = 40;
    public static final int BUCKETS = (MAX_SHIFT - MIN_SHIFT) * SUB_BUCKETS + 2;

    private final SingleWriterCounters counts = new SingleWriterCounters(BUCKETS);
    private final SingleWriterCounters summary = new SingleWriterCounters(2); // 0: count, 1: max
    private long max; // writer's own copy

    /** Writer thread only. Negative values count as zero. */
    public void record(long nanos) {
        counts.add(bucketOf(nanos), 1);
        summary.add(0, 1);
        if (nanos > max) {
            max = nanos;
            summary.set(1, nanos);
        }
    }

    static int bucketOf(long nanos) {
        if (nanos < (1L << MIN_SHIFT)) {
            return 0;
        }
        int log = 63 - Long.numberOfLeadingZeros(nanos); // nanos in [2^log, 2^(log+1))
        if (log >= MAX_SHIFT) {
            return BUCKETS - 1;
        }
        int sub = (int) ((nanos >>> (log - 2)) & 3); // next two bits after the leading one
        return 1 + (log - MIN_SHIFT) * SUB_BUCKETS + sub;
    }

    /** Upper bound (exclusive) of a bucket, in nanoseconds. */
    static long upperBound(int bucket) {
        if (bucket == 0) {
            return 1L << MIN_SHIFT;
        }
        if (bucket >= BUCKETS - 1) {
            return Long.MAX_VALUE;
        }
        int log = (bucket - 1) / SUB_BUCKETS + MIN_SHIFT;
        int sub = (bucket - 1) % SUB_BUCKETS;
        return (1L << log) + ((long) (sub + 1) << (log - 2));
    }

    public long count() {
        return summary.get(0);
    }

    public long max() {
        return summary.get(1);
    }

    /**
     * The value at quantile {@code q} (0..1): the upper bound of the bucket holding that rank, capped at the
     * maximum seen. 0 when empty. Any thread; reads a moment's bucket counts, not an atomic snapshot.
     */
    public long quantile(double q) {
        long[] c = new long[BUCKETS]; // reader side: allocation is fine here
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts.get(i);
            total += c[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += c[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max());
            }
        }
        return max();
    }
}
