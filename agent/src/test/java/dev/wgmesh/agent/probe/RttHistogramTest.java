package dev.wgmesh.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RttHistogramTest {
    @Test
    void bucketsAreContiguousAndCoverTheirBounds() {
        for (int i = 1; i < RttHistogram.BUCKETS; i++) {
            assertThat(RttHistogram.index(RttHistogram.upperBound(i - 1) + 1)).isEqualTo(i);
            assertThat(RttHistogram.index(RttHistogram.upperBound(i))).isEqualTo(i);
        }
        assertThat(RttHistogram.index(Long.MAX_VALUE)).isEqualTo(RttHistogram.BUCKETS - 1);
    }

    @Test
    void percentilesWithinOneSixteenthOfAnExactSortAgainstRandomData() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(2000);
            long[] values = new long[n];
            RttHistogram h = new RttHistogram();
            for (int i = 0; i < n; i++) {
                values[i] = (long) Math.exp(random.nextDouble() * Math.log(5_000_000)); // 1 µs .. 5 s, log-spread
                h.record(values[i]);
            }
            Arrays.sort(values);
            for (double q : new double[] {0.5, 0.9, 0.99, 1.0}) {
                long exact = values[(int) Math.max(0, Math.ceil(q * n) - 1)];
                assertThat(h.percentile(q)).isBetween(exact, exact + exact / 16 + 1);
            }
            assertThat(h.min()).isEqualTo(values[0]);
            assertThat(h.max()).isEqualTo(values[n - 1]);
            assertThat(h.mean()).isEqualTo(Arrays.stream(values).sum() / n);
        }
    }

    @Test
    void emptyAndReset() {
        RttHistogram h = new RttHistogram();
        assertThat(h.percentile(0.99)).isZero();
        assertThat(h.min()).isZero();
        h.record(500);
        h.reset();
        assertThat(h.count()).isZero();
        assertThat(h.mean()).isZero();
    }
}
