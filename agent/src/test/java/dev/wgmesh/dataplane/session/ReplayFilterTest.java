package dev.wgmesh.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayFilterTest {
    private static final long W = ReplayFilter.WINDOW_SIZE;

    @Test
    void windowIsRingMinusOneBlock() {
        assertThat(W).isEqualTo(8192 - 64);
    }

    @Test
    void acceptsInOrderAndRejectsDuplicates() {
        ReplayFilter f = new ReplayFilter();
        for (long c = 0; c < 20_000; c++) {
            assertThat(f.accept(c)).as("first %d", c).isTrue();
            assertThat(f.accept(c)).as("again %d", c).isFalse();
        }
    }

    @Test
    void acceptsOutOfOrderInsideWindowOnce() {
        ReplayFilter f = new ReplayFilter();
        assertThat(f.accept(100)).isTrue();
        assertThat(f.accept(50)).isTrue();
        assertThat(f.accept(99)).isTrue();
        assertThat(f.accept(0)).isTrue();
        assertThat(f.accept(50)).isFalse();
        assertThat(f.accept(0)).isFalse();
        assertThat(f.accept(101)).isTrue();
    }

    @Test
    void windowEdge() {
        ReplayFilter f = new ReplayFilter();
        long last = 3 * 8192 + 17;
        assertThat(f.accept(last)).isTrue();
        assertThat(f.accept(last - W)).as("exactly WINDOW_SIZE behind").isTrue();
        assertThat(f.accept(last - W - 1)).as("one further").isFalse();
        assertThat(f.accept(last - W)).isFalse();
        assertThat(f.accept(last - 1)).isTrue();
    }

    @Test
    void farFutureJumpClearsWholeWindow() {
        ReplayFilter f = new ReplayFilter();
        for (long c = 0; c < 8192; c++) {
            f.accept(c);
        }
        long jump = 1_000_000_007L;
        assertThat(f.accept(jump)).isTrue();
        // Every counter within the window behind the jump is fresh, none inherited from the old bits.
        for (long c = jump - W; c < jump; c++) {
            assertThat(f.accept(c)).as("counter %d", c).isTrue();
        }
        assertThat(f.accept(100)).isFalse();
        assertThat(f.accept(jump)).isFalse();
    }

    @Test
    void jumpOfExactlyOneRingClearsStaleBits() {
        ReplayFilter f = new ReplayFilter();
        assertThat(f.accept(5)).isTrue();
        // 5 + 8192 maps to the same bit as 5; it must not be mistaken for a duplicate.
        assertThat(f.accept(5 + 8192)).isTrue();
        assertThat(f.accept(5 + 8192 - 64)).isTrue();
    }

    @Test
    void rejectsAtAndAboveRejectAfterMessages() {
        ReplayFilter f = new ReplayFilter();
        long limit = WireGuardSpec.REJECT_AFTER_MESSAGES;
        assertThat(f.accept(limit - 1)).isTrue();
        assertThat(f.accept(limit)).isFalse();
        assertThat(f.accept(-1L)).isFalse(); // 2^64 - 1
        assertThat(f.accept(limit - 2)).isTrue();
        assertThat(f.accept(0)).as("far behind").isFalse();
    }

    @Test
    void resetForgetsEverything() {
        ReplayFilter f = new ReplayFilter();
        f.accept(10_000);
        f.reset();
        assertThat(f.accept(1)).isTrue();
        assertThat(f.accept(10_000)).isTrue();
    }

    @Test
    void randomizedAgainstReferenceSet() {
        Random rnd = new Random(6479);
        for (int round = 0; round < 20; round++) {
            ReplayFilter f = new ReplayFilter();
            Set<Long> seen = new HashSet<>();
            long max = -1;
            long base = rnd.nextBoolean() ? 0 : rnd.nextLong(1L << 50);
            for (int i = 0; i < 50_000; i++) {
                long c;
                int kind = rnd.nextInt(10);
                if (kind < 5 || max < 0) {
                    c = base + (max < 0 ? 0 : max) + rnd.nextInt(40); // mostly forward, small reordering
                } else if (kind < 8) {
                    c = Math.max(base, base + max - rnd.nextInt(9000)); // around the window edge
                } else if (kind < 9) {
                    c = base + max + rnd.nextInt(20_000); // forward jumps up to > one ring
                } else {
                    c = base + rnd.nextLong(Math.max(1, max + 1)); // anywhere behind
                }
                long rel = c - base;
                boolean expected = !seen.contains(c) && (max < 0 || rel > max || max - rel <= W);
                assertThat(f.accept(c))
                        .as("round %d step %d counter %d max %d", round, i, rel, max)
                        .isEqualTo(expected);
                if (expected) {
                    seen.add(c);
                    max = Math.max(max, rel);
                }
            }
        }
    }
}
