package dev.wgmesh.dataplane.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogHistogramTest {
    @Test
    void bucketsAreContiguousAndOrdered() {
        long prev = 0;
        for (int i = 0; i < LogHistogram.BUCKETS - 1; i++) {
            long ub = LogHistogram.upperBound(i);
            assertThat(ub).isGreaterThan(prev);
            assertThat(LogHistogram.bucketOf(ub - 1)).isEqualTo(i);
            assertThat(LogHistogram.bucketOf(ub)).isEqualTo(i + 1);
            prev = ub;
        }
        assertThat(LogHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(LogHistogram.BUCKETS - 1);
        assertThat(LogHistogram.bucketOf(-5)).isZero();
    }

    @Test
    void quantilesWithinOneBucketOfTheExactValue() {
        LogHistogram h = new LogHistogram();
        Random rnd = new Random(5);
        long[] values = new long[100_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(8 + rnd.nextDouble() * 12); // ~3 µs .. 480 ms, log-uniform
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            long exact = values[(int) Math.ceil(q * values.length) - 1];
            long got = h.quantile(q);
            assertThat(got).isGreaterThanOrEqualTo(exact);
            assertThat((double) got).isLessThanOrEqualTo(exact * 1.26); // bucket width 2^(1/4) ≈ 19%, plus edge
        }
        assertThat(h.max()).isEqualTo(values[values.length - 1]);
        assertThat(h.quantile(1.0)).isEqualTo(h.max());
        assertThat(h.count()).isEqualTo(values.length);
        assertThat(new LogHistogram().quantile(0.99)).isZero();
    }
}
