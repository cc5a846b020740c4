package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.io.ThreadPriority;
import org.junit.jupiter.api.Test;

/** When an inline I/O thread holds real-time priority: from a real sleep until it has handled two rounds. */
class WakeBoostTest {
    /** Records the priority changes; {@code permitted} false refuses raising, as without CAP_SYS_NICE. */
    static final class Recorder implements ThreadPriority {
        final boolean permitted;
        int raises;
        int lowers;
        boolean high;

        Recorder(boolean permitted) {
            this.permitted = permitted;
        }

        @Override
        public boolean raise() {
            raises++;
            high = permitted;
            return permitted;
        }

        @Override
        public void lower() {
            lowers++;
            high = false;
        }
    }

    private long now;
    private final Recorder os = new Recorder(true);
    private final WakeBoost boost = new WakeBoost(os, true, () -> now);

    private void waitFor(long nanos) {
        boost.beforeWait();
        now += nanos;
        boost.afterWait();
    }

    @Test
    void raisedFromTheStartUntilTwoRoundsOfWorkThenLowered() {
        boost.start();
        assertThat(os.high).isTrue();
        boost.worked(WakeBoost.BUSY_PACKETS - 1);
        assertThat(os.high).isTrue();
        boost.worked(1);
        assertThat(os.high).isFalse();
        assertThat(boost.raised()).isFalse();
        boost.worked(10_000);
        assertThat(os.lowers).as("lowered once, not per packet").isEqualTo(1);
    }

    @Test
    void aSparseFlowKeepsThePriorityAcrossItsSleeps() {
        boost.start();
        for (int ping = 0; ping < 1_000; ping++) {
            waitFor(200_000_000L); // 5 pings a second
            boost.worked(1);
        }
        assertThat(os.high).isTrue();
        assertThat(os.raises).as("raised once: no system call per packet").isEqualTo(1);
        assertThat(os.lowers).isZero();
    }

    @Test
    void shortPausesOfABusyFlowDoNotCountAsSleep() {
        boost.start();
        for (int burst = 0; burst < 100; burst++) {
            waitFor(WakeBoost.SLEPT_NANOS - 1); // a bulk flow's gaps between bursts
            boost.worked(10);
        }
        assertThat(os.high)
                .as("lowered after two rounds in all, though it waited between them")
                .isFalse();
        assertThat(os.raises).isEqualTo(1);
        assertThat(os.lowers).isEqualTo(1);
    }

    @Test
    void aRealSleepRaisesItAgainAndStartsTheCountOver() {
        boost.start();
        boost.worked(WakeBoost.BUSY_PACKETS);
        assertThat(os.high).isFalse();
        waitFor(WakeBoost.SLEPT_NANOS);
        assertThat(os.high).isTrue();
        boost.worked(WakeBoost.BUSY_PACKETS - 1);
        assertThat(os.high).as("the count started over at the sleep").isTrue();
        boost.worked(1);
        assertThat(os.high).isFalse();
        assertThat(os.raises).isEqualTo(2);
        assertThat(os.lowers).isEqualTo(2);
    }

    @Test
    void aRefusedRaiseIsNotAskedAgain() {
        Recorder refusing = new Recorder(false);
        WakeBoost b = new WakeBoost(refusing, true, () -> now);
        b.start();
        for (int i = 0; i < 10; i++) {
            b.beforeWait();
            now += WakeBoost.SLEPT_NANOS;
            b.afterWait();
            b.worked(WakeBoost.BUSY_PACKETS);
        }
        assertThat(refusing.raises).isEqualTo(1);
        assertThat(refusing.lowers).isZero();
        assertThat(b.raised()).isFalse();
    }

    @Test
    void disabledNeverTouchesThePriority() {
        Recorder untouched = new Recorder(true);
        WakeBoost b = new WakeBoost(untouched, false, () -> now);
        b.start();
        b.beforeWait();
        now += WakeBoost.SLEPT_NANOS;
        b.afterWait();
        b.worked(1);
        assertThat(untouched.raises).isZero();
        assertThat(untouched.lowers).isZero();
    }
}
