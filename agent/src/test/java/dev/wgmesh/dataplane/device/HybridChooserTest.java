package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import org.junit.jupiter.api.Test;

/** The hybrid choice on a fake clock: per-window packet counts, entering at once, leaving slowly and only drained. */
class HybridChooserTest {
    private static final long W = HybridChooser.WINDOW_NANOS;

    private final HybridChooser chooser = new HybridChooser(10_000); // 100 packets per 10 ms window
    private final ParallelDataPath.PeerSendState peer = new ParallelDataPath.PeerSendState();
    private long now = 1_000_000_000L;

    /** {@code packets} evenly over one window; returns the choice for the last one. */
    private boolean window(int packets) {
        boolean last = false;
        for (int i = 0; i < packets; i++) {
            last = chooser.parallel(peer, now + i * (W / Math.max(1, packets)));
        }
        now += W;
        return last;
    }

    @Test
    void miceStayInline() {
        for (int i = 0; i < 200; i++) {
            assertThat(window(99)).isFalse();
        }
    }

    @Test
    void anElephantGoesParallelWhenItsFirstBusyWindowCloses() {
        assertThat(window(100)).as("still measuring").isFalse();
        assertThat(chooser.parallel(peer, now)).isTrue();
    }

    @Test
    void briefLullsDoNotSwitchBack() {
        window(100);
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < HybridChooser.QUIET_WINDOWS - 1; i++) {
                assertThat(window(5)).isTrue();
            }
            assertThat(window(100)).isTrue(); // busy again before the quiet run was long enough
        }
    }

    @Test
    void goesInlineAfterAQuietRunOnceDrained() {
        window(100);
        for (int i = 0; i < HybridChooser.QUIET_WINDOWS; i++) {
            assertThat(window(25)).isTrue();
        }
        assertThat(window(1)).isFalse();
    }

    @Test
    void anIdleGapCountsAsQuiet() {
        window(100);
        window(1);
        now += (HybridChooser.QUIET_WINDOWS + 1) * W; // nothing sent for half a second
        assertThat(chooser.parallel(peer, now)).isFalse();
    }

    @Test
    void staysParallelWhileItsHandOffStillHoldsPackets() {
        window(100);
        assertThat(peer.txIn.offer(PacketBuffer.unpooled(64))).isTrue();
        for (int i = 0; i < 3 * HybridChooser.QUIET_WINDOWS; i++) {
            assertThat(window(1)).as("window %d", i).isTrue(); // inline packets would overtake the queued one
        }
        peer.txIn.poll();
        assertThat(window(1)).isFalse();
    }

    @Test
    void thresholdIsValidated() {
        assertThatThrownBy(() -> new HybridChooser(10)).isInstanceOf(IllegalArgumentException.class);
        System.setProperty(HybridChooser.PPS_PROPERTY, "lots");
        try {
            assertThatThrownBy(HybridChooser::fromEnvironment)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lots");
        } finally {
            System.clearProperty(HybridChooser.PPS_PROPERTY);
        }
    }
}
