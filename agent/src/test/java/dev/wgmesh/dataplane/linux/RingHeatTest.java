package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Hot rings and steering with a hand-driven clock: when a ring turns hot and cold, and who is moved off it. */
class RingHeatTest {
    private static final int RINGS = 8;
    private static final long W = RingHeat.WINDOW_NANOS;

    private final RingHeat heat = new RingHeat(RINGS);
    private long now = 1_000_000_000L;

    @Test
    void aRingIsHotOnceAWindowCarriesTheThreshold() {
        heat.endOfCall(now); // opens the first window
        heat.read(3, RingHeat.HOT_PACKETS - 1, 7);
        window();
        assertThat(heat.hot()).isZero();
        heat.read(3, RingHeat.HOT_PACKETS, 7);
        heat.endOfCall(now + W - 1);
        assertThat(heat.hot()).as("not before the window ends").isZero();
        window();
        assertThat(heat.hot()).isEqualTo(1L << 3);
    }

    @Test
    void theHeavyFlowKeepsItsRingOthersOnItGoToOneColdRingEach() {
        int flood = flowOnRing(5, 0);
        int ping = flowOnRing(5, 1);
        int elsewhere = flowOnRing(2, 0);
        heat.endOfCall(now);
        for (int i = 0; i < 100; i++) {
            heat.read(5, 20, flood);
            if (i % 10 == 0) {
                heat.read(5, 1, ping); // a sparse flow sampled now and then does not win the vote
            }
        }
        window();
        long hot = heat.hot();
        assertThat(hot).isEqualTo(1L << 5);
        assertThat(heat.ringFor(flood, hot)).as("the flood stays").isEqualTo(5);
        int moved = heat.ringFor(ping, hot);
        assertThat(moved).as("the ping leaves the hot ring").isNotEqualTo(5);
        assertThat(heat.ringFor(ping, hot)).as("and keeps to one ring").isEqualTo(moved);
        assertThat(heat.ringFor(elsewhere, hot))
                .as("a flow on a cold ring stays")
                .isEqualTo(2);
        assertThat(heat.ringFor(ping, 0)).as("nothing hot: its own ring").isEqualTo(5);
    }

    @Test
    void flowsMovedOffAHotRingSpreadOverTheColdOnes() {
        heat.endOfCall(now);
        heat.read(1, RingHeat.HOT_PACKETS, flowOnRing(1, 0));
        heat.read(6, RingHeat.HOT_PACKETS, flowOnRing(6, 0));
        window();
        long hot = heat.hot();
        java.util.Set<Integer> targets = new java.util.HashSet<>();
        for (int i = 1; i < 200; i++) {
            int r = heat.ringFor(flowOnRing(1, i), hot);
            assertThat(r).isNotIn(1, 6);
            targets.add(r);
        }
        assertThat(targets).as("spread over the six cold rings").hasSize(6);
    }

    @Test
    void aHotRingCoolsOnlyAfterAQuietSecond() {
        heat.endOfCall(now);
        heat.read(0, RingHeat.HOT_PACKETS, 1);
        window();
        assertThat(heat.hot()).isEqualTo(1L);
        long hotAt = now;
        heat.read(0, RingHeat.HOT_PACKETS / 2, 1); // warm: keeps it hot and restarts the cooling
        window();
        long warmAt = now;
        while (now - warmAt < RingHeat.COOL_NANOS - W) {
            window();
            assertThat(heat.hot())
                    .as("%d ms after it was last warm", (now - warmAt) / 1_000_000)
                    .isEqualTo(1L);
        }
        now = warmAt + RingHeat.COOL_NANOS;
        heat.endOfCall(now);
        assertThat(heat.hot()).isZero();
        assertThat(now - hotAt).isGreaterThan(RingHeat.COOL_NANOS);
    }

    @Test
    void withEveryRingHotAFlowKeepsItsOwn() {
        heat.endOfCall(now);
        for (int q = 0; q < RINGS; q++) {
            heat.read(q, RingHeat.HOT_PACKETS, flowOnRing(q, 0));
        }
        window();
        int f = flowOnRing(4, 3);
        assertThat(heat.ringFor(f, heat.hot())).isEqualTo(4);
    }

    @Test
    void ringCountsOutsideOneTo64AreRefused() {
        assertThatThrownBy(() -> new RingHeat(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RingHeat(65)).isInstanceOf(IllegalArgumentException.class);
        RingHeat max = new RingHeat(64);
        max.endOfCall(0);
        max.read(63, RingHeat.HOT_PACKETS, 9);
        max.endOfCall(W);
        assertThat(max.hot()).isEqualTo(1L << 63);
        assertThat(max.ringFor(flowOnRing64(63), max.hot())).isNotEqualTo(63);
    }

    private void window() {
        now += W;
        heat.endOfCall(now);
    }

    /** The {@code nth} flow hash (counting from 0) whose own ring is {@code ring}. */
    private static int flowOnRing(int ring, int nth) {
        for (int h = 1; ; h++) {
            int f = h * 0x2545f491;
            if (RingHeat.scale(f, RINGS) == ring && nth-- == 0) {
                return f;
            }
        }
    }

    private static int flowOnRing64(int ring) {
        for (int h = 1; ; h++) {
            int f = h * 0x2545f491;
            if (RingHeat.scale(f, 64) == ring && f != 9) {
                return f;
            }
        }
    }
}
