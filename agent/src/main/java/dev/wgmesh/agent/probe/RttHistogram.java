package dev.wgmesh.agent.probe;

/**
 * Round-trip times in microseconds in fixed log-linear buckets (16 per power of two, as HdrHistogram with 4 bits of
 * precision): recording is a few arithmetic operations and never allocates; a percentile is exact to within 1/16
 * (6.25 %) of the value, and min, max and mean are exact. Values from 0 to 2^26 µs (67 s) are resolved; larger ones
 * count in the last bucket.
 *
 * <p>Not thread-safe: the owner serialises access.
 */
final class RttHistogram {
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAX_EXP = 26;
    static final int BUCKETS = (MAX_EXP - SUB_BITS + 2) * SUB;

    private final int[] counts = new int[BUCKETS];
    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max;

    void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        count++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v);
        if (exp > MAX_EXP) {
            return BUCKETS - 1;
        }
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    /** The largest value that falls in bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB + SUB_BITS - 1;
        long lower = (long) (SUB + index % SUB) << (exp - SUB_BITS);
        return lower + (1L << (exp - SUB_BITS)) - 1;
    }

    long count() {
        return count;
    }

    long min() {
        return count == 0 ? 0 : min;
    }

    long max() {
        return max;
    }

    long mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** The value at quantile {@code q} (0..1): the upper bound of its bucket, never above the largest recorded. */
    long percentile(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        count = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = 0;
    }
}
