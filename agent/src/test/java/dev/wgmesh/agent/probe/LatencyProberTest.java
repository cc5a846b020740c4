package dev.wgmesh.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probers and responders on loopback addresses (127.0.0.x), with short intervals. */
class LatencyProberTest {
    private static final LatencyProber.Settings FAST =
            new LatencyProber.Settings(Duration.ofMillis(20), 0.1, Duration.ofMillis(600), Duration.ofMillis(400));

    private LatencyProber a;
    private LatencyProber b;

    @AfterEach
    void close() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static InetSocketAddress loopback(int last, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last}), port);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void measuresRoundTripToAnotherAgentsResponder() throws Exception {
        a = new LatencyProber(loopback(2, 0), FAST);
        b = new LatencyProber(loopback(3, 0), FAST);
        a.addPeer("b", b.localAddress());
        await("an interval with answers", () -> a.figures("b").orElseThrow().answered() >= 5);
        ProbeFigures f = a.figures("b").orElseThrow();
        assertThat(f.lastRttMicros()).isBetween(1L, 1_000_000L);
        assertThat(f.minRttMicros()).isPositive().isLessThanOrEqualTo(f.avgRttMicros());
        assertThat(f.avgRttMicros()).isLessThanOrEqualTo(f.p99RttMicros());
        // Nothing is dropped on loopback; a scheduling stall longer than the timeout on a loaded build machine may
        // still lose the odd probe, so this does not insist on exactly zero.
        assertThat(f.loss()).isLessThan(0.2f);
        // The other side answered but did not probe: it knows no peer.
        assertThat(b.figures("a")).isEmpty();
        assertThat(a.strayPackets()).isZero();
    }

    @Test
    void countsLossWhenNothingAnswers() throws Exception {
        a = new LatencyProber(loopback(2, 0), FAST);
        int unused;
        try (DatagramSocket s = new DatagramSocket(loopback(4, 0))) {
            unused = s.getLocalPort();
        }
        a.addPeer("down", loopback(4, unused));
        await("an interval with losses", () -> a.figures("down").orElseThrow().lost() >= 5);
        ProbeFigures f = a.figures("down").orElseThrow();
        assertThat(f.answered()).isZero();
        assertThat(f.loss()).isEqualTo(1f);
        assertThat(f.lastRttMicros()).isZero();
    }

    @Test
    void countsLossWhenTheResponderDropsEveryOtherProbe() throws Exception {
        a = new LatencyProber(loopback(2, 0), FAST);
        try (DatagramSocket responder = new DatagramSocket(loopback(5, 0))) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread echo = Thread.ofPlatform().start(() -> echoEveryOther(responder, stop));
            a.addPeer("lossy", (InetSocketAddress) responder.getLocalSocketAddress());
            await("an interval with answers and losses", () -> {
                ProbeFigures f = a.figures("lossy").orElseThrow();
                return f.answered() >= 4 && f.lost() >= 4;
            });
            assertThat(a.figures("lossy").orElseThrow().loss()).isBetween(0.3f, 0.7f);
            stop.set(true);
            echo.join(2000);
        }
    }

    private static void echoEveryOther(DatagramSocket s, AtomicBoolean stop) {
        byte[] buf = new byte[64];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            s.setSoTimeout(50);
            for (int n = 0; !stop.get() && n < 10_000; n++) {
                p.setData(buf);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException ex) {
                    continue;
                }
                if (n % 2 == 0) {
                    buf[ProbePacket.TYPE] = ProbePacket.REPLY;
                    s.send(p);
                }
            }
        } catch (Exception ex) {
            // socket closed at the end of the test
        }
    }

    @Test
    void ignoresStrayAndForgedPackets() throws Exception {
        // One probe a second: the test captures a real request and forges answers to it at leisure.
        a = new LatencyProber(
                loopback(2, 0),
                new LatencyProber.Settings(Duration.ofSeconds(1), 0, Duration.ofSeconds(20), Duration.ofSeconds(30)));
        try (DatagramSocket peer = new DatagramSocket(loopback(6, 0));
                DatagramSocket elsewhere = new DatagramSocket(loopback(7, 0))) {
            peer.setSoTimeout(5000);
            a.addPeer("p", (InetSocketAddress) peer.getLocalSocketAddress());
            byte[] req = new byte[64];
            DatagramPacket in = new DatagramPacket(req, req.length);
            peer.receive(in);
            assertThat(in.getLength()).isEqualTo(ProbePacket.LENGTH);
            InetSocketAddress prober = a.localAddress();

            byte[] garbage = "hello, not a probe".getBytes();
            peer.send(new DatagramPacket(garbage, garbage.length, prober));
            byte[] reply = req.clone();
            reply[ProbePacket.TYPE] = ProbePacket.REPLY;
            byte[] wrongToken = reply.clone();
            wrongToken[ProbePacket.TOKEN] ^= 1;
            peer.send(new DatagramPacket(wrongToken, ProbePacket.LENGTH, prober));
            byte[] wrongSeq = reply.clone();
            wrongSeq[ProbePacket.SEQ + 3] ^= 1;
            peer.send(new DatagramPacket(wrongSeq, ProbePacket.LENGTH, prober));
            byte[] wrongTime = reply.clone();
            wrongTime[ProbePacket.TIME + 7] ^= 1;
            peer.send(new DatagramPacket(wrongTime, ProbePacket.LENGTH, prober));
            byte[] wrongSlot = reply.clone();
            wrongSlot[ProbePacket.SLOT] = 9;
            peer.send(new DatagramPacket(wrongSlot, ProbePacket.LENGTH, prober));
            // The right answer from the wrong address.
            elsewhere.send(new DatagramPacket(reply, ProbePacket.LENGTH, prober));
            await("six stray packets", () -> a.strayPackets() == 6);
            assertThat(a.answeredProbes()).isZero();

            // The genuine answer counts once; a replay of it is stray.
            peer.send(new DatagramPacket(reply, ProbePacket.LENGTH, prober));
            await("the genuine answer", () -> a.answeredProbes() == 1);
            assertThat(a.figures("p").orElseThrow().lastRttMicros()).isPositive();
            peer.send(new DatagramPacket(reply, ProbePacket.LENGTH, prober));
            await("the replay ignored", () -> a.strayPackets() == 7);
            assertThat(a.answeredProbes()).isEqualTo(1);
        }
    }

    @Test
    void peersComeAndGoAtRuntime() throws Exception {
        a = new LatencyProber(loopback(2, 0), FAST);
        b = new LatencyProber(loopback(3, 0), FAST);
        try (LatencyProber c = new LatencyProber(loopback(8, 0), FAST)) {
            a.addPeer("b", b.localAddress());
            await("b answered", () -> a.figures("b").orElseThrow().lastRttMicros() > 0);
            a.addPeer("c", c.localAddress());
            await("c answered", () -> a.figures("c").orElseThrow().lastRttMicros() > 0);
            a.removePeer("b");
            assertThat(a.figures("b")).isEmpty();
            long before = a.answeredProbes();
            await("c still answering", () -> a.answeredProbes() > before + 5);
            assertThat(a.figures("c").orElseThrow().lastRttMicros()).isPositive();
            // Re-adding b reuses the freed slot with a new generation; it is probed again from scratch.
            a.addPeer("b", b.localAddress());
            await("b answered again", () -> a.figures("b").orElseThrow().lastRttMicros() > 0);
        }
    }

    @Test
    void settingsFollowTheStatsInterval() {
        assertThat(LatencyProber.Settings.forReportInterval(Duration.ofSeconds(10)))
                .isEqualTo(new LatencyProber.Settings(
                        Duration.ofSeconds(1), 0.1, Duration.ofSeconds(2), Duration.ofSeconds(10)));
        assertThat(LatencyProber.Settings.forReportInterval(Duration.ofMillis(500))
                        .interval())
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void settingsAreChecked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LatencyProber.Settings(
                        Duration.ofSeconds(1), 0.1, Duration.ofSeconds(60), Duration.ofSeconds(10)))
                .hasMessageContaining("timeout");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LatencyProber.Settings(
                        Duration.ofSeconds(1), 0.9, Duration.ofSeconds(2), Duration.ofSeconds(10)))
                .hasMessageContaining("jitter");
    }
}
