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

        @Override
        public int self() {
            return 42;
        }

        /** Another thread raising the owner (a {@link StallGuard}'s loan): recorded as the owner's raise. */
        @Override
        public boolean raise(int thread) {
            assertThat(thread).isEqualTo(42);
            return raise();
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

    @Test
    void aLoanLastsItsRoundsThenTheThreadLowersItself() {
        boost.start();
        boost.worked(WakeBoost.BUSY_PACKETS); // busy: lowered
        assertThat(os.high).isFalse();
        assertThat(boost.lend()).isTrue();
        assertThat(os.high).isTrue();
        for (int r = 1; r < WakeBoost.LENT_ROUNDS; r++) {
            boost.worked(64);
            assertThat(os.high).as("round %d of the loan", r).isTrue();
        }
        boost.worked(64);
        assertThat(os.high).isFalse();
        assertThat(os.lowers).isEqualTo(2);
        boost.worked(64);
        assertThat(os.lowers).as("lowered once per loan").isEqualTo(2);
    }

    @Test
    void aLoanDuringTheWakeRaiseKeepsThePriorityUntilBothEnd() {
        boost.start(); // raised after a sleep
        assertThat(boost.lend()).isTrue();
        boost.worked(WakeBoost.BUSY_PACKETS); // the wake raise ends, one round of the loan is used
        assertThat(os.high).as("the loan has a round left").isTrue();
        boost.worked(1);
        assertThat(os.high).isFalse();
        assertThat(os.lowers).isEqualTo(1);

        boost.beforeWait();
        now += WakeBoost.SLEPT_NANOS;
        boost.afterWait(); // raised again after a sleep
        assertThat(boost.lend()).isTrue();
        for (int r = 0; r < WakeBoost.LENT_ROUNDS; r++) {
            boost.worked(1);
        }
        assertThat(os.high).as("the loan ended, the wake raise has not").isTrue();
        boost.worked(WakeBoost.BUSY_PACKETS);
        assertThat(os.high).isFalse();
    }

    @Test
    void stalledOnlyWhenNoRoundWasServedSinceTheLastLookAndNothingIsRaised() {
        boost.start();
        assertThat(boost.stalled())
                .as("raised after its sleep: nothing to lend")
                .isFalse();
        boost.worked(WakeBoost.BUSY_PACKETS);
        assertThat(boost.stalled()).as("served rounds since the last look").isFalse();
        assertThat(boost.busy()).isTrue();
        assertThat(boost.stalled()).as("no round since the last look").isTrue();
        assertThat(boost.lend()).isTrue();
        assertThat(boost.stalled()).as("holds a loan").isFalse();
        boost.worked(1);
        boost.worked(1); // loan over
        assertThat(boost.stalled()).isFalse();
        assertThat(boost.stalled()).isTrue();
    }

    @Test
    void aWaitingThreadWithNoRoundsIsNotBusy() {
        boost.start();
        boost.worked(WakeBoost.BUSY_PACKETS);
        boost.stalled();
        boost.beforeWait();
        boost.stalled();
        assertThat(boost.busy()).isFalse();
        boost.afterWait();
        boost.stalled();
        assertThat(boost.busy()).as("out of its wait").isTrue();
    }

    @Test
    void aRefusedPlatformIsNeverStalled() {
        WakeBoost b = new WakeBoost(new Recorder(false), true, () -> now);
        b.start();
        b.stalled();
        assertThat(b.stalled()).isFalse();
        WakeBoost off = new WakeBoost(new Recorder(true), false, () -> now);
        off.start();
        off.stalled();
        assertThat(off.stalled()).as("disabled").isFalse();
    }
}
