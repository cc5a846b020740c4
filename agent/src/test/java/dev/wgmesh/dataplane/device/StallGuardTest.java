package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.device.WakeBoostTest.Recorder;
import org.junit.jupiter.api.Test;

/** Which threads the guard lends real-time priority to, one look at a time (no real threads, no clock). */
class StallGuardTest {
    private final Recorder busyOs = new Recorder(true);
    private final Recorder idleOs = new Recorder(true);
    private final WakeBoost busy = new WakeBoost(busyOs, true, () -> 0L);
    private final WakeBoost idle = new WakeBoost(idleOs, true, () -> 0L);
    private final StallGuard guard = new StallGuard(null, new Recorder(true));

    StallGuardTest() {
        guard.watch(busy);
        guard.watch(idle);
        busy.start();
        idle.start();
        busy.worked(WakeBoost.BUSY_PACKETS); // busy now, at ordinary priority
        idle.worked(WakeBoost.BUSY_PACKETS);
        idle.beforeWait(); // and asleep
    }

    @Test
    void lendsToABusyThreadThatServedNothingSinceTheLastLook() {
        assertThat(guard.look()).as("a thread served rounds: look again soon").isTrue();
        busy.worked(64);
        guard.look();
        assertThat(busyOs.high).as("it made progress").isFalse();
        assertThat(guard.look()).isTrue();
        assertThat(busyOs.high).as("no round for a whole period: lent").isTrue();
        assertThat(guard.loans()).isEqualTo(2); // the sleeping thread got one at the second look too
        guard.look();
        assertThat(guard.loans()).as("no second loan while one is held").isEqualTo(2);
        for (int r = 0; r < WakeBoost.LENT_ROUNDS; r++) {
            busy.worked(64);
        }
        assertThat(busyOs.high).isFalse();
        guard.look();
        guard.look();
        assertThat(busyOs.high).as("stalled again: lent again").isTrue();
    }

    @Test
    void aSleepingThreadIsLentOnceAndKeepsItWhileItSleeps() {
        guard.look();
        guard.look();
        assertThat(idleOs.high)
                .as("raised while it waits, as after a long sleep")
                .isTrue();
        for (int i = 0; i < 100; i++) {
            guard.look();
        }
        assertThat(idleOs.raises).as("one loan, not one per look").isEqualTo(2);
    }

    @Test
    void onlyQuietLooksLetTheGuardSlowDown() {
        busy.beforeWait();
        guard.look();
        guard.look(); // both get their loan while asleep
        assertThat(guard.look())
                .as("everyone asleep, nothing served, nothing lent")
                .isFalse();
        idle.afterWait();
        assertThat(guard.look()).as("a thread out of its wait").isTrue();
    }

    @Test
    void noLoansWhereThePlatformRefuses() {
        Recorder refusing = new Recorder(false);
        WakeBoost b = new WakeBoost(refusing, true, () -> 0L);
        StallGuard g = new StallGuard(null, refusing);
        g.watch(b);
        b.start();
        b.worked(WakeBoost.BUSY_PACKETS);
        for (int i = 0; i < 5; i++) {
            g.look();
        }
        assertThat(g.loans()).isZero();
        assertThat(refusing.raises).as("asked once, at start").isEqualTo(1);
    }
}
