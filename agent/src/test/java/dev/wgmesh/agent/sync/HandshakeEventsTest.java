package dev.wgmesh.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import dev.wgmesh.proto.v1.AgentEvent;
import dev.wgmesh.proto.v1.AgentMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Handshake events from real devices: completed on both sides with the initiator's round trip, failed on give-up. */
@Timeout(60)
class HandshakeEventsTest {
    @TempDir
    Path dir;

    private TwoAgentNodes nodes;

    @AfterEach
    void close() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static AgentEvent next(java.util.concurrent.BlockingQueue<AgentMessage> q) throws InterruptedException {
        AgentMessage m = q.poll(5, TimeUnit.SECONDS);
        assertThat(m).as("an event within 5 s").isNotNull();
        assertThat(m.hasEvent()).isTrue();
        return m.getEvent();
    }

    @Test
    void bothSidesReportTheCompletedHandshakeOnceAndTheInitiatorItsRoundTrip() throws Exception {
        nodes = new TwoAgentNodes(dir, DataPathMode.INLINE);
        TwoAgentNodes.Node a = nodes.a;
        TwoAgentNodes.Node b = nodes.b;
        nodes.connect();
        a.send(b.inner, 200);
        assertThat(b.receive()).isNotNull();

        AgentEvent atA = next(a.events);
        assertThat(atA.getKind()).isEqualTo(AgentEvent.Kind.HANDSHAKE_COMPLETED);
        assertThat(atA.getPeerPublicKey()).isEqualTo(ByteString.copyFrom(b.publicKey));
        assertThat(atA.getDetail()).contains("we initiated").contains("round trip");
        AgentEvent atB = next(b.events);
        assertThat(atB.getKind()).isEqualTo(AgentEvent.Kind.HANDSHAKE_COMPLETED);
        assertThat(atB.getPeerPublicKey()).isEqualTo(ByteString.copyFrom(a.publicKey));
        assertThat(atB.getDetail()).contains("peer initiated");

        long rtt = a.stats.report().getPeers(0).getHandshakeRttUs();
        assertThat(rtt).as("initiator measured the handshake").isPositive().isLessThan(5_000_000);
        assertThat(b.stats.report().getPeers(0).getHandshakeRttUs())
                .as("responder has none")
                .isZero();

        b.send(a.inner, 200); // the session is in use both ways: no further events
        assertThat(a.receive()).isNotNull();
        assertThat(a.events.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(b.events.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aPeerThatNeverAnswersIsReportedFailedAfterRekeyAttemptTime() throws Exception {
        FakeClock clock = new FakeClock();
        List<AgentMessage> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        HandshakeEvents handshakes = new HandshakeEvents(events::add);
        byte[] silent = X25519.publicKey(Keys.generatePrivateKey());
        MemoryTun tun = new MemoryTun("wg-f", 1420);
        try (Device d = new Device(
                tun, new MemoryNetwork().newTransport("192.0.2.1"), new ManualScheduler(clock), DataPathMode.INLINE)) {
            d.setHandshakeListener(handshakes);
            d.apply(new ConfigChange(
                    Keys.generatePrivateKey(),
                    51820,
                    null,
                    false,
                    List.of(new ConfigChange.PeerChange(
                            silent,
                            false,
                            false,
                            null,
                            "192.0.2.99:51820", // nobody there
                            null,
                            true,
                            List.of(IpPrefix.parse("10.99.0.9/32"))))));
            d.start();
            tun.inject(TwoAgentNodes.ipv4("10.99.0.1", "10.99.0.9", 100));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (d.counters().initiationsSent() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            // 18 retransmissions REKEY_TIMEOUT (5 s, plus jitter) apart, then the give-up (REKEY_ATTEMPT_TIME, 90 s)
            for (int s = 0; s < 200 && events.isEmpty(); s++) {
                clock.advanceMillis(1000);
                Thread.sleep(2);
            }
        }
        assertThat(events).hasSize(1);
        AgentEvent e = events.get(0).getEvent();
        assertThat(e.getKind()).isEqualTo(AgentEvent.Kind.HANDSHAKE_FAILED);
        assertThat(e.getPeerPublicKey()).isEqualTo(ByteString.copyFrom(silent));
        assertThat(e.getDetail()).contains("attempt");
        assertThat(e.getTimeUnixMs()).isPositive();
    }

    @Test
    void eventsMarkChangesOfTheLinkNotEveryRekey() {
        List<AgentMessage> sent = new ArrayList<>();
        HandshakeEvents h = new HandshakeEvents(sent::add);
        byte[] k = X25519.publicKey(Keys.generatePrivateKey());
        h.onHandshakeFailed(k, 18); // never up: reported
        h.onHandshakeFailed(k, 18); // still down: not again
        h.onHandshakeCompleted(k, true, 2_500_000); // up: reported
        h.onHandshakeCompleted(k, false, 0); // rekey: not reported, RTT kept
        h.onHandshakeCompleted(k, true, 1_000_000); // rekey: new RTT
        h.onHandshakeFailed(k, 20); // down: reported
        h.onHandshakeCompleted(k, false, 0); // up again
        assertThat(sent)
                .extracting(m -> m.getEvent().getKind())
                .containsExactly(
                        AgentEvent.Kind.HANDSHAKE_FAILED,
                        AgentEvent.Kind.HANDSHAKE_COMPLETED,
                        AgentEvent.Kind.HANDSHAKE_FAILED,
                        AgentEvent.Kind.HANDSHAKE_COMPLETED);
        assertThat(sent.get(1).getEvent().getDetail()).contains("2.5 ms");
        assertThat(h.handshakeRttMicros(ByteString.copyFrom(k))).isEqualTo(1000);

        h.retain(List.of()); // removed from the configuration: forgotten
        assertThat(h.handshakeRttMicros(ByteString.copyFrom(k))).isZero();
        h.onHandshakeCompleted(k, false, 0);
        assertThat(sent).hasSize(5);
    }
}
