package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.pipeline.CryptoOp;
import dev.wgmesh.dataplane.stats.WorkerStats;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parallel data path through whole devices over the in-memory TUN and network: with crypto workers slowed by
 * random delays (so batches finish out of order), every peer's packets still leave with increasing counters and
 * arrive in the order they were sent.
 */
@Timeout(90)
class ParallelDataPathTest {
    private final TwoDevices net = new TwoDevices(DataPathMode.PARALLEL);
    private final TwoDevices.Node a = net.a;
    private final TwoDevices.Node b = net.b;

    @AfterEach
    void close() {
        net.close();
    }

    /** Up to {@code maxMicros} of sleep before each packet's crypto: workers finish batches in random order. */
    private static CryptoOp randomlySlow(CryptoOp op, int maxMicros) {
        return p -> {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(maxMicros) * 1000L);
            return op.apply(p);
        };
    }

    /**
     * A UDP datagram of one flow (fixed ports: FQ-CoDel keeps order within a flow and interleaves flows by design)
     * carrying {@code seq} after the UDP header.
     */
    static byte[] numbered(int seq, int size) {
        byte[] p = Packets.payload(Math.max(size, 12), seq);
        p[0] = 0x30; // source port 12345
        p[1] = 0x39;
        p[2] = 0x30; // destination port 12346
        p[3] = 0x3a;
        p[8] = (byte) (seq >>> 24);
        p[9] = (byte) (seq >>> 16);
        p[10] = (byte) (seq >>> 8);
        p[11] = (byte) seq;
        return p;
    }

    static int seqOf(byte[] ipPacket) {
        return ((ipPacket[28] & 0xff) << 24)
                | ((ipPacket[29] & 0xff) << 16)
                | ((ipPacket[30] & 0xff) << 8)
                | (ipPacket[31] & 0xff);
    }

    @Test
    void perPeerOrderSurvivesRandomCryptoDelays() throws Exception {
        a.device.decorateCrypto(op -> randomlySlow(op, 300));
        b.device.decorateCrypto(op -> randomlySlow(op, 300));
        List<Long> wireCounters = new ArrayList<>();
        net.net.setInterceptor((from, to, buf, off, len) -> {
            // Every transport message, the initiator's confirming keepalive too: the dispatcher sends it in order.
            if (buf[off] == WireGuardSpec.TYPE_TRANSPORT && from.toString().startsWith("192.0.2.1")) {
                synchronized (wireCounters) {
                    wireCounters.add(TransportMessage.counter(buf, off));
                }
            }
            return MemoryNetwork.Verdict.DELIVER;
        });
        net.configureBoth(null);
        int seq = 0;
        int expected = 0;
        for (int round = 0; round < 25; round++) {
            for (int k = 0; k < 80; k++) { // bursts larger than a batch, so several batches of a peer are in flight
                // one size class on the receive side (larger than ParallelDataPath.RX_SMALL_WIRE): order is kept
                a.send(b, numbered(seq++, 200 + ThreadLocalRandom.current().nextInt(1140)));
            }
            for (int k = 0; k < 80; k++) {
                byte[] got = b.receive();
                assertThat(got).as("packet %d", expected).isNotNull();
                assertThat(seqOf(got)).as("in order").isEqualTo(expected++);
            }
            b.send(a, numbered(round, 64)); // and the other direction, concurrently slowed
            assertThat(seqOf(a.receive())).isEqualTo(round);
        }
        synchronized (wireCounters) {
            assertThat(wireCounters).hasSizeGreaterThanOrEqualTo(2000);
            for (int i = 1; i < wireCounters.size(); i++) {
                assertThat(wireCounters.get(i)).as("counter %d on the wire", i).isGreaterThan(wireCounters.get(i - 1));
            }
        }
        assertThat(a.drops(DropReason.REPLAY) + b.drops(DropReason.REPLAY)).isZero();
        assertThat(a.drops(DropReason.AUTH_FAILURE) + b.drops(DropReason.AUTH_FAILURE))
                .isZero();
    }

    @RepeatedTest(5)
    void packetsWaitingForTheHandshakeAreQueuedAndSentInOrder() throws Exception {
        List<Long> wire = new ArrayList<>();
        net.net.setInterceptor((from, to, buf, off, len) -> {
            if (buf[off] == WireGuardSpec.TYPE_TRANSPORT && from.toString().startsWith("192.0.2.1")) {
                synchronized (wire) {
                    wire.add(TransportMessage.counter(buf, off) * 10000 + len);
                }
            }
            return MemoryNetwork.Verdict.DELIVER;
        });
        net.configureBoth(null);
        for (int i = 0; i < 50; i++) { // all sent before any session exists: they wait in the peer's tin
            a.send(b, numbered(i, 200));
        }
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] got = b.receive();
            assertThat(got).as("packet %d of %s; %s", i, seen, net.describe()).isNotNull();
            seen.add(seqOf(got));
        }

        for (int i = 0; i < 50; i++) {
            assertThat(seen.get(i)).as("%s", seen).isEqualTo(i);
        }
    }

    /**
     * With the dispatcher as the one crypto thread and its crypto held, the TUN reader's hand-off to it fills: large
     * packets beyond it are dropped and counted, a small one (a ping) takes the reserve and is delivered once crypto
     * resumes, ahead of the large ones that waited in the full hand-off.
     */
    @Test
    void aSmallPacketMeetingAFullHandOffTakesTheReserve() throws Exception {
        try (TwoDevices one = withoutExpress(() -> TwoDevices.oneCryptoThread(DataPathMode.PARALLEL))) {
            TwoDevices.Node sender = one.a;
            TwoDevices.Node receiver = one.b;
            HeldCrypto held = new HeldCrypto(sender);
            startWithSession(one); // so nothing waits for the handshake
            try {
                // Held before the flood, so the dispatcher cannot move the flood into FQ-CoDel ahead of the hand-off.
                held.holdAtNextPacket(() -> sender.send(receiver, numbered(-2, 1200)));
                int large = ParallelDataPath.PEER_HANDOFF + 300;
                for (int i = 0; i < large; i++) {
                    sender.send(receiver, numbered(i, 1200));
                }
                long overflowBefore = settledOverflow(sender); // the reader handed on or dropped every large packet
                sender.send(receiver, numbered(1_000_000, 40));
                Thread.sleep(50); // the reader has handed it on (or dropped it) by now
                assertThat(sender.drops(DropReason.QUEUE_OVERFLOW))
                        .as("the small packet was not dropped")
                        .isEqualTo(overflowBefore);
            } finally {
                held.release();
            }
            assertThat(largeBeforeTheSmallOne(receiver))
                    .as("large packets before it: only those already at crypto when the hand-off filled")
                    .isLessThan(ParallelDataPath.PEER_HANDOFF / 2);
        }
    }

    /**
     * The receive side's reserve: with the receiver's dispatcher (its one crypto thread) held, its UDP receiver's
     * hand-off fills; large messages beyond it are dropped and counted, a small one (a ping) takes the reserve and is
     * delivered once crypto resumes, ahead of most of the large ones that waited.
     */
    @Test
    void aSmallMessageMeetingAFullReceiveHandOffTakesTheReserve() throws Exception {
        try (TwoDevices one = withoutExpress(() -> TwoDevices.oneCryptoThread(DataPathMode.PARALLEL))) {
            HeldCrypto held = new HeldCrypto(one.b); // the receiver's
            java.util.concurrent.atomic.AtomicInteger onWire = new java.util.concurrent.atomic.AtomicInteger();
            TwoDevices.Node sender = one.a;
            TwoDevices.Node receiver = one.b;
            startWithSession(one); // so nothing waits for the handshake
            one.net.setInterceptor((from, to, buf, off, len) -> {
                if (buf[off] == WireGuardSpec.TYPE_TRANSPORT && from.toString().startsWith(sender.outer)) {
                    onWire.incrementAndGet();
                }
                return MemoryNetwork.Verdict.DELIVER;
            });
            int large = ParallelDataPath.RX_HANDOFF + 500;
            try {
                held.holdAtNextPacket(() -> sender.send(receiver, numbered(-2, 1200)));
                for (int sent = 0; sent < large; ) {
                    int chunk = Math.min(200, large - sent); // within the sender's TUN ring and hand-off
                    for (int i = 0; i < chunk; i++) {
                        sender.send(receiver, numbered(sent + i, 1200));
                    }
                    sent += chunk;
                    int expected = sent + 1;
                    TwoDevices.await(() -> onWire.get() >= expected, "the large messages on the wire");
                }
                long overflowBefore = settledOverflow(receiver);
                sender.send(receiver, numbered(1_000_000, 40));
                TwoDevices.await(() -> onWire.get() == large + 2, "the small message on the wire");
                Thread.sleep(50); // the receiver has handed it on (or dropped it) by now
                assertThat(receiver.drops(DropReason.QUEUE_OVERFLOW))
                        .as("the small message was not dropped")
                        .isEqualTo(overflowBefore);
            } finally {
                held.release();
            }
            assertThat(largeBeforeTheSmallOne(receiver))
                    .as("large messages before it: at most the one held at crypto and a round's batch")
                    .isLessThan(ParallelDataPath.PEER_HANDOFF / 2);
        }
    }

    /**
     * Express path, transmit: with the sender's one crypto thread held at a large packet, a small one sent after it
     * is sealed by the TUN reader and delivered meanwhile; a duplicate of it on the wire is refused by the replay
     * filter; the large one follows once crypto resumes.
     */
    @Test
    void aSmallPacketPassesTheSendersHeldCryptoOnTheExpressPath() throws Exception {
        try (TwoDevices one = TwoDevices.oneCryptoThread(DataPathMode.PARALLEL)) {
            assertSmallPassesHeldCrypto(one, new HeldCrypto(one.a));
        }
    }

    /**
     * Express path, receive: with the receiver's one crypto thread held at a large message, a small one is opened by
     * the UDP receiver (which enters the peer's receive lane) and delivered; its duplicate is refused.
     */
    @Test
    void aSmallMessagePassesTheReceiversHeldCryptoOnTheExpressPath() throws Exception {
        try (TwoDevices one = TwoDevices.oneCryptoThread(DataPathMode.PARALLEL)) {
            assertSmallPassesHeldCrypto(one, new HeldCrypto(one.b));
        }
    }

    /** The same in hybrid mode, whose received messages all take the parallel path. */
    @Test
    void inHybridModeASmallMessagePassesTheReceiversHeldCryptoOnTheExpressPath() throws Exception {
        try (TwoDevices one = TwoDevices.oneCryptoThread(DataPathMode.HYBRID)) {
            assertSmallPassesHeldCrypto(one, new HeldCrypto(one.b));
        }
    }

    /**
     * Express path, receive, with the peer's receive lane held (the test plays the worker delivering a batch): the
     * receiver opens a small message and its duplicate anyway and posts them to the lane; neither reaches the TUN
     * while the lane is held, the message does when the holder lets go, and the duplicate is refused then.
     */
    @Test
    void aSmallMessageFindingTheLaneHeldIsOpenedAndLeftToItsHolder() throws Exception {
        try (TwoDevices one = TwoDevices.oneCryptoThread(DataPathMode.PARALLEL)) {
            startWithSession(one);
            dev.wgmesh.dataplane.pipeline.PeerLane lane = one.b.device.peer(one.a.publicKey).sendState.rxLane;
            assertThat(lane).as("made by the first message").isNotNull();
            one.net.setInterceptor((from, to, buf, off, len) -> buf[off] == WireGuardSpec.TYPE_TRANSPORT
                            && len <= ParallelDataPath.RX_SMALL_WIRE
                            && from.toString().startsWith(one.a.outer)
                    ? MemoryNetwork.Verdict.DUPLICATE
                    : MemoryNetwork.Verdict.DELIVER);
            long replayBefore = one.b.drops(DropReason.REPLAY);
            long expressBefore = one.b.device.counters().expressReceivedPackets();
            assertThat(lane.tryEnter()).isTrue();
            try {
                one.a.send(one.b, numbered(1_000_000, 40));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (one.b.device.counters().expressReceivedPackets() < expressBefore + 2
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(one.b.device.counters().expressReceivedPackets())
                        .as("the message and its duplicate, opened by the UDP receiver")
                        .isEqualTo(expressBefore + 2);
                assertThat(one.b.receiveNothing())
                        .as("nothing delivered while the lane is held")
                        .isNull();
            } finally {
                lane.exit();
            }
            byte[] got = one.b.receive();
            assertThat(got).as("delivered by the holder letting go").isNotNull();
            assertThat(seqOf(got)).isEqualTo(1_000_000);
            assertThat(one.b.receiveNothing()).as("its duplicate refused").isNull();
            assertThat(one.b.drops(DropReason.REPLAY)).isEqualTo(replayBefore + 1);
            assertThat(one.b.drops(DropReason.AUTH_FAILURE)).isZero();
        }
    }

    /** The control: with the express path off, the small packet waits behind the held crypto. */
    @Test
    void withoutTheExpressPathASmallPacketWaitsForHeldCrypto() throws Exception {
        try (TwoDevices one = withoutExpress(() -> TwoDevices.oneCryptoThread(DataPathMode.PARALLEL))) {
            HeldCrypto held = new HeldCrypto(one.a);
            startWithSession(one);
            try {
                held.holdAtNextPacket(() -> one.a.send(one.b, numbered(0, 1200)));
                one.a.send(one.b, numbered(1_000_000, 40));
                assertThat(one.b.receiveNothing())
                        .as("nothing passes the held crypto")
                        .isNull();
            } finally {
                held.release();
            }
            Set<Integer> got = new HashSet<>();
            got.add(seqOf(one.b.receive()));
            got.add(seqOf(one.b.receive()));
            assertThat(got).containsExactlyInAnyOrder(0, 1_000_000);
            assertThat(one.a.device.counters().expressSentPackets()).isZero();
            assertThat(one.b.device.counters().expressReceivedPackets()).isZero();
        }
    }

    /**
     * Starts the devices ({@code crypto} must hold one of them: a decorator counts from the start), holds that
     * crypto at a large packet from a to b, then has a send a small one (see the callers).
     */
    private static void assertSmallPassesHeldCrypto(TwoDevices one, HeldCrypto crypto) throws Exception {
        startWithSession(one); // so nothing waits for the handshake
        one.net.setInterceptor((from, to, buf, off, len) -> {
            boolean small = len > WireGuardSpec.TRANSPORT_HEADER_SIZE + WireGuardSpec.AEAD_TAG_SIZE
                    && len <= ParallelDataPath.RX_SMALL_WIRE;
            return buf[off] == WireGuardSpec.TYPE_TRANSPORT
                            && small
                            && from.toString().startsWith(one.a.outer)
                    ? MemoryNetwork.Verdict.DUPLICATE
                    : MemoryNetwork.Verdict.DELIVER;
        });
        long replayBefore = one.b.drops(DropReason.REPLAY);
        try {
            crypto.holdAtNextPacket(() -> one.a.send(one.b, numbered(0, 1200)));
            one.a.send(one.b, numbered(1_000_000, 40));
            byte[] got = one.b.receive();
            assertThat(got).as("the small packet, while crypto is held").isNotNull();
            assertThat(seqOf(got)).isEqualTo(1_000_000);
            assertThat(one.b.receiveNothing())
                    .as("its duplicate refused, the large one held")
                    .isNull();
            assertThat(one.b.drops(DropReason.REPLAY)).as("the duplicate").isEqualTo(replayBefore + 1);
        } finally {
            crypto.release();
        }
        assertThat(one.a.device.counters().expressSentPackets())
                .as("sealed by the TUN reader (in hybrid mode a quiet peer's packets are inline anyway)")
                .isEqualTo(one.mode == DataPathMode.HYBRID ? 0 : 1);
        assertThat(one.b.device.counters().expressReceivedPackets())
                .as("the message and its duplicate, opened by the UDP receiver")
                .isEqualTo(2);
        byte[] large = one.b.receive();
        assertThat(large).as("the large packet once crypto resumed").isNotNull();
        assertThat(seqOf(large)).isEqualTo(0);
        assertThat(one.a.drops(DropReason.AUTH_FAILURE) + one.b.drops(DropReason.AUTH_FAILURE))
                .isZero();
    }

    /** Devices built with the express path off (read at construction), to test the queued path for small packets. */
    private static TwoDevices withoutExpress(java.util.function.Supplier<TwoDevices> make) {
        System.setProperty("wgmesh.express", "off");
        try {
            return make.get();
        } finally {
            System.clearProperty("wgmesh.express");
        }
    }

    /**
     * A keepalive asked for (by a timer, or the handshake worker confirming a session) while the peer's data waits at
     * crypto with its counter leaves after that data: sealed and sent at once by the asking thread, it took the next
     * counter and overtook it (a CI run saw counter 80 before 0).
     */
    @Test
    void aKeepaliveLeavesAfterDataAlreadyGivenCounters() throws Exception {
        List<Long> wire = keepaliveBehindHeldData(DataPathMode.PARALLEL, 0);
        assertKeepaliveAfterData(wire);
    }

    /** The same in hybrid mode, for a peer whose transmit traffic the chooser moved to the parallel path. */
    @Test
    void inHybridModeAKeepaliveFollowsItsPeersParallelData() throws Exception {
        assertKeepaliveAfterData(keepaliveBehindHeldData(DataPathMode.HYBRID, 0));
    }

    private static void assertKeepaliveAfterData(List<Long> wire) {
        assertThat(wire).as("counter * 10000 + length, in wire order").hasSize(2);
        assertThat(wire.get(0) % 10000).as("the held data first").isGreaterThan(32);
        assertThat(wire.get(1) % 10000).as("then the keepalive").isEqualTo(32);
        assertThat(wire.get(1) / 10000).isEqualTo(wire.get(0) / 10000 + 1);
    }

    /** As wireguard-go with staged packets: no keepalive while the peer's data is queued, the data carries the news. */
    @Test
    void noKeepaliveWhileDataIsQueued() throws Exception {
        List<Long> wire = keepaliveBehindHeldData(DataPathMode.PARALLEL, 3);
        assertThat(wire).as("counter * 10000 + length, in wire order").hasSize(4);
        for (int i = 0; i < wire.size(); i++) {
            assertThat(wire.get(i) % 10000).as("message %d is data", i).isGreaterThan(32);
            assertThat(wire.get(i) / 10000).isEqualTo(wire.get(0) / 10000 + i);
        }
    }

    /**
     * The sender's one crypto thread is held at a data packet, {@code queued} more wait behind it, and its peer's
     * keepalive is asked for from this thread; returns what then went on the wire (counter * 10000 + length).
     */
    private static List<Long> keepaliveBehindHeldData(DataPathMode mode, int queued) throws Exception {
        System.setProperty(HybridChooser.PPS_PROPERTY, "100"); // hybrid: one packet per window makes an elephant
        TwoDevices one;
        try {
            one = TwoDevices.oneCryptoThread(mode);
        } finally {
            System.clearProperty(HybridChooser.PPS_PROPERTY);
        }
        try (one) {
            TwoDevices.Node sender = one.a;
            TwoDevices.Node receiver = one.b;
            HeldCrypto held = new HeldCrypto(sender);
            List<Long> wire = new ArrayList<>();
            startWithSession(one); // so nothing waits for the handshake
            Thread.sleep(HybridChooser.WINDOW_NANOS / 1_000_000 + 2);
            sender.send(receiver, numbered(-2, 1000)); // closes a window with a packet in it: hybrid goes parallel
            assertThat(receiver.receive()).isNotNull();
            if (mode == DataPathMode.HYBRID) {
                assertThat(sender.device.peerStatistics().get(0).queue())
                        .as("the peer's transmit traffic went parallel")
                        .isNotNull();
            }
            one.net.setInterceptor((from, to, buf, off, len) -> {
                if (buf[off] == WireGuardSpec.TYPE_TRANSPORT && from.toString().startsWith(sender.outer)) {
                    synchronized (wire) {
                        wire.add(TransportMessage.counter(buf, off) * 10000 + len);
                    }
                }
                return MemoryNetwork.Verdict.DELIVER;
            });
            try {
                held.holdAtNextPacket(() -> sender.send(receiver, numbered(0, 1200)));
                for (int i = 1; i <= queued; i++) {
                    sender.send(receiver, numbered(i, 1200));
                }
                Thread.sleep(20); // the TUN reader has handed them on
                sender.device.peer(receiver.publicKey).sendKeepalive();
                Thread.sleep(50); // a keepalive sent at once would be on the wire by now
            } finally {
                held.release();
            }
            for (int i = 0; i <= queued; i++) {
                assertThat(receiver.receive()).as("data %d", i).isNotNull();
            }
            Thread.sleep(100); // a keepalive after the data would be on the wire by now
            synchronized (wire) {
                return new ArrayList<>(wire);
            }
        }
    }

    /** Configures and starts both devices, and has a sends b a packet: the session is up. */
    private static void startWithSession(TwoDevices two) throws Exception {
        two.configureBoth(null);
        two.a.send(two.b, numbered(-1, 1000));
        assertThat(two.b.receive()).isNotNull();
    }

    /** Receives up to the small packet numbered 1,000,000 (which must come): how many others came before it. */
    private static int largeBeforeTheSmallOne(TwoDevices.Node receiver) throws InterruptedException {
        int before = 0;
        for (byte[] got = receiver.receive(); ; got = receiver.receive()) {
            assertThat(got)
                    .as("small packet delivered, after %d others", before)
                    .isNotNull();
            if (seqOf(got) == 1_000_000) {
                return before;
            }
            before++;
        }
    }

    /**
     * Polls a node's hand-off overflow count until it is positive and stays put for five polls (the reader has
     * handed on or dropped everything it was given); returns it.
     */
    private static long settledOverflow(TwoDevices.Node node) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long overflow = -1;
        int steady = 0;
        while (steady < 5 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            long now = node.drops(DropReason.QUEUE_OVERFLOW);
            steady = now > 0 && now == overflow ? steady + 1 : 0;
            overflow = now;
        }
        assertThat(overflow).as("packets beyond the full hand-off").isPositive();
        assertThat(steady).as("the drop count settled").isEqualTo(5);
        return overflow;
    }

    /** Holds a node's crypto (with one crypto thread: its dispatcher) at a packet until released. */
    private static final class HeldCrypto {
        private final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);

        HeldCrypto(TwoDevices.Node node) {
            node.device.decorateCrypto(op -> p -> {
                if (hold.get()) {
                    blocked.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return op.apply(p);
            });
        }

        /** From now on crypto stops at its next packet; {@code trigger} makes one, and this returns once it is held. */
        void holdAtNextPacket(ThrowingRunnable trigger) throws Exception {
            hold.set(true);
            trigger.run();
            assertThat(blocked.await(10, java.util.concurrent.TimeUnit.SECONDS))
                    .as("crypto held")
                    .isTrue();
        }

        void release() {
            gate.countDown();
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * The receive side queues before decryption in per-peer tins with a small-packet flow: while the receiver's
     * (slowed) workers work through a backlog of large packets, a small one sent after all of them is served
     * first. Not timed: 300 packets at 1 ms each on two workers leave
     * over a hundred queued when the small one arrives.
     */
    @Test
    void smallReceivedPacketOvertakesABacklogOfLargeOnes() throws Exception {
        try (TwoDevices queued = withoutExpress(() -> new TwoDevices(DataPathMode.PARALLEL))) {
            smallReceivedPacketOvertakesABacklogOfLargeOnes(queued.a, queued.b, queued);
        }
    }

    private static void smallReceivedPacketOvertakesABacklogOfLargeOnes(
            TwoDevices.Node a, TwoDevices.Node b, TwoDevices net) throws Exception {
        b.device.decorateCrypto(op -> p -> {
            LockSupport.parkNanos(1_000_000L);
            return op.apply(p);
        });
        net.configureBoth(null);
        a.send(b, numbered(-1, 1000)); // the session first, so nothing waits for the handshake
        assertThat(b.receive()).isNotNull();
        for (int i = 0; i < 300; i++) {
            a.send(b, numbered(i, 1200));
        }
        a.send(b, numbered(1_000_000, 40));
        int largeBefore = 0;
        int largeAfter = 0;
        boolean small = false;
        for (byte[] got = b.receive(); got != null; got = small ? b.receiveNothing() : b.receive()) {
            if (seqOf(got) == 1_000_000) {
                small = true;
            } else if (small) {
                largeAfter++;
            } else {
                largeBefore++;
            }
        }
        assertThat(small).as("small packet delivered").isTrue();
        // CoDel may drop some of the large ones (150 ms of backlog is over its interval), never the small one
        assertThat(largeAfter)
                .as("large packets after the small one (%d before)", largeBefore)
                .isGreaterThan(50);
        PeerStatistics p = b.device.peerStatistics().get(0);
        assertThat(p.receiveQueue()).isNotNull();
        assertThat(p.receiveQueue().dequeuedPackets()).isGreaterThanOrEqualTo(largeBefore + largeAfter + 2);
        assertThat(p.receiveQueue().dropsOverflow()).isZero();
        assertThat(b.drops(DropReason.REPLAY)).isZero();
        assertThat(PrometheusText.render(b.device, "wg-b"))
                .contains("direction=\"rx\"")
                .contains("wgmesh_stage_seconds{interface=\"wg-b\",stage=\"rx_handoff\",quantile=\"0.99\"}");
    }

    @Test
    void statisticsReportQueueAndWorkers() throws Exception {
        net.configureBoth(null);
        for (int i = 0; i < 200; i++) {
            a.send(b, numbered(i, 1000));
            assertThat(b.receive()).isNotNull();
        }
        List<PeerStatistics> peers = a.device.peerStatistics();
        assertThat(peers).hasSize(1);
        PeerStatistics p = peers.get(0);
        assertThat(p.publicKey()).isEqualTo(b.publicKey);
        assertThat(p.txBytes()).isGreaterThan(200 * 1000);
        assertThat(p.queue()).isNotNull();
        assertThat(p.queue().dequeuedPackets()).isGreaterThanOrEqualTo(200);
        assertThat(p.queue().queuedPackets()).isZero();
        List<WorkerStats.Snapshot> workers = a.device.workerStatistics();
        assertThat(workers).hasSize(2);
        assertThat(workers.stream().mapToLong(WorkerStats.Snapshot::packets).sum())
                .isGreaterThanOrEqualTo(200);
        assertThat(workers.stream().mapToLong(WorkerStats.Snapshot::busyNanos).sum())
                .isPositive();
        String text = PrometheusText.render(a.device, "wg-a");
        assertThat(text)
                .contains("wgmesh_peer_queue_packets{interface=\"wg-a\",peer=\"")
                .contains("wgmesh_drops_total{interface=\"wg-a\",reason=\"replay\"} 0")
                .contains("wgmesh_express_packets_total{interface=\"wg-a\",direction=\"tx\"} 0")
                .contains("wgmesh_worker_busy_seconds_total{interface=\"wg-a\",worker=\"1\"}");
        Set<String> names = new HashSet<>();
        String current = null;
        for (String line : text.split("\n")) { // each metric's samples form one group after its TYPE line
            if (line.startsWith("# TYPE ")) {
                current = line.split(" ")[2];
                assertThat(names.add(current))
                        .as("one group per metric: " + current)
                        .isTrue();
            } else if (!line.startsWith("#")) {
                assertThat(line).startsWith(current + "{");
            }
        }
    }

    /**
     * Hybrid: a peer sending a few packets stays inline (no transmit tin is ever created); once it sends in bursts
     * it moves to the parallel path, and the packets around the switch arrive in order. Not timed: a 100-packet
     * burst through the in-memory TUN lands in one 10 ms window whatever the machine's load.
     */
    @Test
    void hybridSendsMiceInlineAndElephantsParallelInOrder() throws Exception {
        System.setProperty(HybridChooser.PPS_PROPERTY, "1000"); // 10 packets per window
        TwoDevices hybrid;
        try {
            hybrid = new TwoDevices(DataPathMode.HYBRID);
        } finally {
            System.clearProperty(HybridChooser.PPS_PROPERTY);
        }
        try (hybrid) {
            hybrid.configureBoth(null);
            int seq = 0;
            for (int i = 0; i < 5; i++) {
                hybrid.a.send(hybrid.b, numbered(seq++, 300));
                assertThat(seqOf(hybrid.b.receive())).isEqualTo(seq - 1);
                Thread.sleep(HybridChooser.WINDOW_NANOS / 1_000_000 * 2); // one packet per window at most
            }
            assertThat(hybrid.a.device.peerStatistics().get(0).queue())
                    .as("mice never reach the scheduler")
                    .isNull();
            int expected = seq;
            for (int round = 0; round < 10; round++) {
                for (int k = 0; k < 100; k++) {
                    hybrid.a.send(hybrid.b, numbered(seq++, 300));
                }
                for (int k = 0; k < 100; k++) {
                    byte[] got = hybrid.b.receive();
                    assertThat(got).as("packet %d", expected).isNotNull();
                    assertThat(seqOf(got)).as("in order across the switch").isEqualTo(expected++);
                }
                // The chooser decides when a window closes, at the first packet after it: without a pause a fast
                // machine sent all 1,000 within one window, and the decision never came.
                Thread.sleep(HybridChooser.WINDOW_NANOS / 1_000_000 + 5);
            }
            PeerStatistics p = hybrid.a.device.peerStatistics().get(0);
            assertThat(p.queue()).as("the elephant went parallel").isNotNull();
            assertThat(p.queue().dequeuedPackets()).isPositive();
            assertThat(hybrid.b.device.peerStatistics().get(0).receiveQueue())
                    .as("receive always takes the receive tins")
                    .isNotNull();
        }
    }

    @Test
    void inlineModeHasNoQueueStatistics() throws Exception {
        try (TwoDevices inline = new TwoDevices(DataPathMode.INLINE)) {
            inline.configureBoth(null);
            inline.a.send(inline.b, numbered(1, 100));
            assertThat(inline.b.receive()).isNotNull();
            assertThat(inline.a.device.peerStatistics().get(0).queue()).isNull();
            assertThat(inline.a.device.workerStatistics()).isEmpty();
        }
    }

    @Test
    void modeIsParsedStrictly() {
        assertThat(DataPathMode.parse("Parallel", 1)).isEqualTo(DataPathMode.PARALLEL);
        assertThat(DataPathMode.parse("inline", 8)).isEqualTo(DataPathMode.INLINE);
        assertThat(DataPathMode.parse(null, 4)).isEqualTo(DataPathMode.INLINE);
        assertThat(DataPathMode.parse("", 2)).isEqualTo(DataPathMode.INLINE);
        assertThat(DataPathMode.parse("auto", 1)).isEqualTo(DataPathMode.INLINE);
        assertThat(DataPathMode.parse(" Hybrid ", 2)).isEqualTo(DataPathMode.HYBRID);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DataPathMode.parse("turbo", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("turbo");
    }
}
