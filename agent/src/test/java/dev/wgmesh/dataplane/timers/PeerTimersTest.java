package dev.wgmesh.dataplane.timers;

import static dev.wgmesh.dataplane.message.WireGuardSpec.KEEPALIVE_TIMEOUT_NANOS;
import static dev.wgmesh.dataplane.message.WireGuardSpec.REKEY_TIMEOUT_JITTER_MAX_NANOS;
import static dev.wgmesh.dataplane.message.WireGuardSpec.REKEY_TIMEOUT_NANOS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.crypto.AeadKey;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.session.Keypair;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PeerTimersTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Records every action with the fake time it ran at; behaves like a device whose peer never answers. */
    private final class Recorder implements TimerActions {
        final List<String> log = new ArrayList<>();
        final List<Long> at = new ArrayList<>();

        private void record(String what) {
            log.add(what);
            at.add(clock.nanoTime() - start);
        }

        @Override
        public void sendHandshakeInitiation(boolean isRetry) {
            record(isRetry ? "retry" : "initiate");
            if (timers.shouldSendInitiation(isRetry)) {
                timers.onAnyAuthenticatedPacketTraversal();
                timers.onAnyAuthenticatedPacketSent();
                timers.onHandshakeInitiated();
            }
        }

        @Override
        public void sendKeepalive() {
            record("keepalive");
        }

        @Override
        public void clearEndpointSource() {
            record("clear-src");
        }

        @Override
        public void handshakeGaveUp() {
            record("gave-up");
        }

        @Override
        public void zeroKeyMaterial() {
            record("zero");
        }

        long count(String what) {
            return log.stream().filter(what::equals).count();
        }
    }

    private final FakeClock clock = new FakeClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final Recorder actions = new Recorder();
    private PeerTimers timers;
    private long start;

    @BeforeEach
    void setUp() {
        timers = new PeerTimers(scheduler, actions, new Random(5));
        timers.start();
        start = clock.nanoTime();
    }

    @Test
    void keepaliveTenSecondsAfterReceivingDataWithoutReplying() {
        timers.onDataReceived();
        clock.advance(KEEPALIVE_TIMEOUT_NANOS - 1);
        assertThat(actions.log).isEmpty();
        clock.advance(1);
        assertThat(actions.log).containsExactly("keepalive");
        assertThat(actions.at).containsExactly(KEEPALIVE_TIMEOUT_NANOS);
        clock.advance(60 * SECOND);
        assertThat(actions.log).containsExactly("keepalive");
    }

    @Test
    void sendingAnythingCancelsThePendingKeepalive() {
        timers.onDataReceived();
        clock.advance(3 * SECOND);
        timers.onAnyAuthenticatedPacketSent();
        clock.advance(60 * SECOND);
        assertThat(actions.log).isEmpty();
    }

    @Test
    void dataReceivedWhileKeepalivePendingAsksForAnother() {
        timers.onDataReceived();
        clock.advance(SECOND);
        timers.onDataReceived(); // already pending: flag another one
        clock.advance(KEEPALIVE_TIMEOUT_NANOS);
        assertThat(actions.log).containsExactly("keepalive");
        clock.advance(KEEPALIVE_TIMEOUT_NANOS);
        assertThat(actions.log).containsExactly("keepalive", "keepalive");
        assertThat(actions.at).containsExactly(KEEPALIVE_TIMEOUT_NANOS, 2 * KEEPALIVE_TIMEOUT_NANOS);
        clock.advance(60 * SECOND);
        assertThat(actions.count("keepalive")).isEqualTo(2);
    }

    @Test
    void newHandshakeWhenSentDataGetsNoAnswer() {
        timers.onDataSent();
        long deadline = timers.newHandshakeTimer().deadline() - start;
        assertThat(deadline)
                .isBetween(
                        KEEPALIVE_TIMEOUT_NANOS + REKEY_TIMEOUT_NANOS,
                        KEEPALIVE_TIMEOUT_NANOS + REKEY_TIMEOUT_NANOS + REKEY_TIMEOUT_JITTER_MAX_NANOS - 1);
        timers.onDataSent(); // does not push it back
        assertThat(timers.newHandshakeTimer().deadline() - start).isEqualTo(deadline);
        clock.advance(deadline - 1);
        assertThat(actions.log).isEmpty();
        clock.advance(1);
        assertThat(actions.log.subList(0, 2)).containsExactly("clear-src", "initiate");
        assertThat(actions.at.get(1)).isEqualTo(deadline);
    }

    @Test
    void receivingAnythingCancelsTheNewHandshake() {
        timers.onDataSent();
        clock.advance(14 * SECOND);
        timers.onAnyAuthenticatedPacketReceived();
        clock.advance(60 * SECOND);
        assertThat(actions.log).isEmpty();
    }

    @Test
    void retransmitsEveryRekeyTimeoutWithJitterThenGivesUp() {
        actions.sendHandshakeInitiation(false); // the device's first initiation
        clock.advance(200 * SECOND);
        // wireguard-go: retries while attempts <= MAX_TIMER_HANDSHAKES (18), so 19 retries, then gives up.
        assertThat(actions.count("retry")).isEqualTo(WireGuardSpec.MAX_TIMER_HANDSHAKES + 1);
        assertThat(actions.count("gave-up")).isEqualTo(1);
        List<Long> sends = new ArrayList<>();
        for (int i = 0; i < actions.log.size(); i++) {
            if (actions.log.get(i).equals("retry") || actions.log.get(i).equals("initiate")) {
                sends.add(actions.at.get(i));
            }
        }
        long minGap = Long.MAX_VALUE;
        long maxGap = 0;
        for (int i = 1; i < sends.size(); i++) {
            long gap = sends.get(i) - sends.get(i - 1);
            assertThat(gap).isBetween(REKEY_TIMEOUT_NANOS, REKEY_TIMEOUT_NANOS + REKEY_TIMEOUT_JITTER_MAX_NANOS - 1);
            minGap = Math.min(minGap, gap);
            maxGap = Math.max(maxGap, gap);
        }
        assertThat(maxGap - minGap).as("jitter actually varies").isPositive();
        long gaveUpAt = actions.at.get(actions.log.indexOf("gave-up"));
        assertThat(gaveUpAt)
                .isBetween(20 * REKEY_TIMEOUT_NANOS, 20 * (REKEY_TIMEOUT_NANOS + REKEY_TIMEOUT_JITTER_MAX_NANOS));
        // After giving up, key material is zeroed 3 × REJECT_AFTER_TIME later.
        assertThat(timers.zeroKeyMaterialTimer().deadline() - start)
                .isEqualTo(gaveUpAt + PeerTimers.ZERO_KEY_MATERIAL_AFTER_NANOS);
    }

    @Test
    void completedHandshakeStopsRetransmission() {
        actions.sendHandshakeInitiation(false);
        clock.advance(6 * SECOND); // one retry went out
        assertThat(actions.count("retry")).isEqualTo(1);
        assertThat(timers.handshakeAttempts()).isEqualTo(1);
        timers.onHandshakeComplete();
        assertThat(timers.handshakeAttempts()).isZero();
        assertThat(timers.lastHandshakeEpochNanos()).isEqualTo(clock.epochNanos());
        clock.advance(200 * SECOND);
        assertThat(actions.count("retry")).isEqualTo(1);
        assertThat(actions.log).doesNotContain("gave-up");
    }

    @Test
    void initiationsAreRateLimitedToOnePerRekeyTimeout() {
        assertThat(timers.shouldSendInitiation(false)).isTrue();
        clock.advance(REKEY_TIMEOUT_NANOS - 1);
        assertThat(timers.shouldSendInitiation(false)).isFalse();
        clock.advance(1);
        assertThat(timers.shouldSendInitiation(false)).isTrue();
    }

    @Test
    void zeroesKeyMaterialThreeRejectAfterTimesAfterTheLastSession() {
        timers.onSessionDerived();
        clock.advance(100 * SECOND);
        timers.onSessionDerived(); // a newer session restarts the countdown
        clock.advance(PeerTimers.ZERO_KEY_MATERIAL_AFTER_NANOS - 1);
        assertThat(actions.log).isEmpty();
        clock.advance(1);
        assertThat(actions.log).containsExactly("zero");
        assertThat(actions.at).containsExactly(100 * SECOND + 540 * SECOND);
    }

    @Test
    void persistentKeepaliveFiresIntervalAfterLastTraversal() {
        timers.setPersistentKeepaliveSeconds(25);
        timers.onAnyAuthenticatedPacketTraversal();
        clock.advance(20 * SECOND);
        timers.onAnyAuthenticatedPacketTraversal(); // traffic pushes it back
        clock.advance(25 * SECOND - 1);
        assertThat(actions.log).isEmpty();
        clock.advance(1);
        assertThat(actions.log).containsExactly("keepalive");
        assertThat(actions.at).containsExactly(45 * SECOND);
        // Not re-armed by itself: the keepalive's own traversal hook does that in a real device.
        clock.advance(100 * SECOND);
        assertThat(actions.log).containsExactly("keepalive");
    }

    @Test
    void persistentKeepaliveOffDoesNothingAndTurningItOffCancels() {
        timers.onAnyAuthenticatedPacketTraversal();
        clock.advance(100 * SECOND);
        assertThat(actions.log).isEmpty();
        timers.setPersistentKeepaliveSeconds(5);
        timers.onAnyAuthenticatedPacketTraversal();
        timers.setPersistentKeepaliveSeconds(0);
        clock.advance(100 * SECOND);
        assertThat(actions.log).isEmpty();
        assertThat(timers.persistentKeepaliveSeconds()).isZero();
    }

    @Test
    void stoppedTimersIgnoreHooksAndCancelEverything() {
        timers.onDataReceived();
        timers.onDataSent();
        timers.onSessionDerived();
        timers.stop();
        timers.onHandshakeInitiated();
        timers.onDataReceived();
        clock.advance(1000 * SECOND);
        assertThat(actions.log).isEmpty();
        assertThat(timers.isActive()).isFalse();
    }

    @Test
    void rekeyOnSendForInitiatorAfterRekeyAfterTime() {
        Keypair initiated =
                new Keypair(new AeadKey(new byte[32]), new AeadKey(new byte[32]), 1, 2, clock.nanoTime(), true);
        Keypair responded =
                new Keypair(new AeadKey(new byte[32]), new AeadKey(new byte[32]), 3, 4, clock.nanoTime(), false);
        clock.advance(WireGuardSpec.REKEY_AFTER_TIME_NANOS);
        assertThat(timers.shouldRekeyOnSend(initiated)).isFalse();
        clock.advance(1);
        assertThat(timers.shouldRekeyOnSend(initiated)).isTrue();
        assertThat(timers.shouldRekeyOnSend(responded))
                .as("responder never rekeys on time")
                .isFalse();
        assertThat(timers.shouldRekeyOnSend(null)).isFalse();
    }

    @Test
    void rekeyOnReceiveOncePerHandshakeFor165SecondOldInitiatorKey() {
        Keypair initiated =
                new Keypair(new AeadKey(new byte[32]), new AeadKey(new byte[32]), 1, 2, clock.nanoTime(), true);
        Keypair responded =
                new Keypair(new AeadKey(new byte[32]), new AeadKey(new byte[32]), 3, 4, clock.nanoTime(), false);
        clock.advance(165 * SECOND);
        assertThat(timers.shouldRekeyOnReceive(initiated)).isFalse();
        clock.advance(1);
        assertThat(timers.shouldRekeyOnReceive(responded)).isFalse();
        assertThat(timers.shouldRekeyOnReceive(initiated)).isTrue();
        assertThat(timers.shouldRekeyOnReceive(initiated)).as("only once").isFalse();
        timers.onHandshakeComplete();
        assertThat(timers.shouldRekeyOnReceive(initiated)).isTrue();
    }
}
