package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerSchedulerTest {
    private final FakeClock clock = new FakeClock();
    private final FlowClassifier classifier = new FlowClassifier(99);
    private final BufferPool pool = new BufferPool(1600, 20_000);

    @Test
    void peerWithManyFlowsGetsNoMoreThanPeersWithOne() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        Tin many = s.addPeer("many", new AtomicLong()::getAndIncrement);
        Tin one = s.addPeer("one", new AtomicLong()::getAndIncrement);
        Tin small = s.addPeer("small", new AtomicLong()::getAndIncrement);
        Map<Object, Long> bytes = new HashMap<>();
        Random rnd = new Random(1);
        for (int round = 0; round < 3000; round++) {
            for (int k = 0; k < 4; k++) { // all three backlogged; "many" spreads over 40 flows
                s.enqueue(many, Packets.udp(pool, classifier, 2000 + rnd.nextInt(40), 1400, 0));
                s.enqueue(one, Packets.udp(pool, classifier, 3000, 1400, 0));
                s.enqueue(small, Packets.udp(pool, classifier, 4000, 200, 0));
                s.enqueue(small, Packets.udp(pool, classifier, 4000, 200, 0));
            }
            for (int k = 0; k < 5; k++) {
                PacketBuffer b = s.dequeue();
                bytes.merge(b.owner, (long) s.fq().cost(b), Long::sum);
                b.release();
            }
            if (s.packets() > 9000) {
                break;
            }
        }
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        assertThat((double) bytes.get("many") / total).isCloseTo(1.0 / 3, within(0.03));
        assertThat((double) bytes.get("one") / total).isCloseTo(1.0 / 3, within(0.03));
        assertThat((double) bytes.get("small") / total).isCloseTo(1.0 / 3, within(0.03));
    }

    @Test
    void floodingPeerCannotStarveOrCrowdOutTwoOthers() {
        FqCodel fq = new FqCodel(FqCodel.Config.defaults().withLimits(1000, 32L << 20), clock);
        PeerScheduler s = new PeerScheduler(fq);
        Tin flood = s.addPeer("flood", new AtomicLong()::getAndIncrement);
        Tin b = s.addPeer("b", new AtomicLong()::getAndIncrement);
        Tin c = s.addPeer("c", new AtomicLong()::getAndIncrement);
        Map<Object, Long> sent = new HashMap<>();
        Random rnd = new Random(2);
        long offeredB = 0;
        for (int round = 0; round < 2000; round++) {
            for (int k = 0; k < 50; k++) { // 50 packets a round against a service of 12
                s.enqueue(flood, Packets.udp(pool, classifier, 2000 + rnd.nextInt(16), 1400, 0));
            }
            for (int k = 0; k < 3; k++) { // each of the others offers a quarter of the service rate
                s.enqueue(b, Packets.udp(pool, classifier, 3000 + k, 1400, 0));
                s.enqueue(c, Packets.udp(pool, classifier, 4000 + k, 1400, 0));
                offeredB++;
            }
            clock.advanceMillis(1);
            for (int k = 0; k < 12; k++) {
                PacketBuffer p = s.dequeue();
                sent.merge(p.owner, 1L, Long::sum);
                p.release();
            }
        }
        assertThat(b.stats().get(PeerQueueStats.DROPS_OVERFLOW)).isZero();
        assertThat(c.stats().get(PeerQueueStats.DROPS_OVERFLOW)).isZero();
        assertThat(flood.stats().get(PeerQueueStats.DROPS_OVERFLOW)).isGreaterThan(10_000);
        assertThat(sent.get("b")).isGreaterThanOrEqualTo(offeredB - 10); // all but what is still queued
        assertThat(sent.get("c")).isGreaterThanOrEqualTo(offeredB - 10);
        assertThat(b.stats().snapshot().sojournMaxNanos()).isLessThan(5_000_000L);
    }

    @Test
    void countersAreAssignedAtDequeueInDepartureOrder() {
        FqCodel fq = new FqCodel(FqCodel.Config.defaults(), clock);
        PeerScheduler s = new PeerScheduler(fq);
        AtomicLong seqA = new AtomicLong(100);
        Tin a = s.addPeer("a", seqA::getAndIncrement);
        Tin b = s.addPeer("b", new AtomicLong()::getAndIncrement);
        List<PacketBuffer> queued = new ArrayList<>();
        Random rnd = new Random(3);
        for (int k = 0; k < 500; k++) {
            PacketBuffer p = Packets.udp(pool, classifier, 1000 + rnd.nextInt(20), 100 + rnd.nextInt(1300), 0);
            queued.add(p);
            s.enqueue(rnd.nextBoolean() ? a : b, p);
        }
        assertThat(queued).allMatch(p -> p.counter == 0);
        assertThat(seqA.get()).isEqualTo(100); // nothing taken at enqueue
        Map<Object, Long> last = new HashMap<>();
        Map<Object, Long> count = new HashMap<>();
        PacketBuffer[] batch = new PacketBuffer[16];
        int n;
        while ((n = s.dequeueBatch(batch, 16, 8000)) > 0) {
            for (int i = 0; i < n; i++) {
                PacketBuffer p = batch[i];
                Long prev = last.put(p.owner, p.counter);
                long expected = prev == null ? ("a".equals(p.owner) ? 100 : 0) : prev + 1;
                assertThat(p.counter).isEqualTo(expected);
                count.merge(p.owner, 1L, Long::sum);
                p.release();
            }
        }
        assertThat(count.get("a") + count.get("b")).isEqualTo(500);
    }

    @Test
    void counterSourceSeesThePacketAndMayTagItsKeypair() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        AtomicLong seq = new AtomicLong();
        long[] keypairIndex = {7};
        Tin a = s.addPeer("a", new CounterSource() {
            @Override
            public long next() {
                throw new AssertionError("the scheduler must call next(PacketBuffer)");
            }

            @Override
            public long next(PacketBuffer b) {
                b.tag = keypairIndex[0]; // counter and keypair taken in one step
                return seq.getAndIncrement();
            }
        });
        s.enqueue(a, Packets.udp(pool, classifier, 1000, 100, 0));
        s.enqueue(a, Packets.udp(pool, classifier, 1000, 100, 0));
        PacketBuffer first = s.dequeue();
        keypairIndex[0] = 8; // rekey between the two departures
        PacketBuffer second = s.dequeue();
        assertThat(first.tag).isEqualTo(7);
        assertThat(first.counter).isZero();
        assertThat(second.tag).isEqualTo(8);
        assertThat(second.counter).isEqualTo(1);
    }

    /** The receive side's tins: no owner, so each packet keeps its own; the counter it carries passes through. */
    @Test
    void aTinWithoutOwnerLeavesThePacketsOwnerAndCounter() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        Tin rx = s.addPeer(null, CarriedCounter.INSTANCE);
        Tin tx = s.addPeer("tx", new AtomicLong(100)::getAndIncrement);
        PacketBuffer in = Packets.udp(pool, classifier, 1000, 100, 0);
        in.owner = "keypair entry";
        in.counter = 42;
        s.enqueue(rx, in);
        s.enqueue(tx, Packets.udp(pool, classifier, 2000, 100, 0));
        PacketBuffer first = s.dequeue();
        PacketBuffer second = s.dequeue();
        assertThat(first.owner).isEqualTo("keypair entry");
        assertThat(first.counter).isEqualTo(42);
        assertThat(second.owner).isEqualTo("tx");
        assertThat(second.counter).isEqualTo(100);
    }

    @Test
    void batchStopsAtTheByteBound() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        Tin a = s.addPeer("a", new AtomicLong()::getAndIncrement);
        for (int k = 0; k < 100; k++) {
            s.enqueue(a, Packets.udp(pool, classifier, 1000, 1000, 0));
        }
        PacketBuffer[] batch = new PacketBuffer[64];
        assertThat(s.dequeueBatch(batch, 64, 5000)).isEqualTo(5); // 4 × 1032 < 5000, the 5th crosses it
        assertThat(s.dequeueBatch(batch, 3, 1 << 20)).isEqualTo(3);
    }

    @Test
    void exhaustedCounterDropsAndCounts() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        AtomicLong seq = new AtomicLong();
        Tin a = s.addPeer("a", () -> seq.get() >= 3 ? -1 : seq.getAndIncrement());
        for (int k = 0; k < 5; k++) {
            s.enqueue(a, Packets.udp(pool, classifier, 1000, 100, 0));
        }
        int got = 0;
        while (s.dequeue() != null) {
            got++;
        }
        assertThat(got).isEqualTo(3);
        assertThat(a.stats().get(PeerQueueStats.DROPS_NONCE)).isEqualTo(2);
    }

    @Test
    void removingAPeerReleasesItsPacketsAndKeepsOthersRunning() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        Tin a = s.addPeer("a", new AtomicLong()::getAndIncrement);
        Tin b = s.addPeer("b", new AtomicLong()::getAndIncrement);
        for (int k = 0; k < 10; k++) {
            s.enqueue(a, Packets.udp(pool, classifier, 1000 + k, 100, 0));
            s.enqueue(b, Packets.udp(pool, classifier, 2000 + k, 100, 0));
        }
        s.removePeer(a);
        assertThat(s.packets()).isEqualTo(10);
        int got = 0;
        PacketBuffer p;
        while ((p = s.dequeue()) != null) {
            assertThat(p.owner).isEqualTo("b");
            got++;
        }
        assertThat(got).isEqualTo(10);
    }

    @Test
    void aTinWithoutCountersIsParkedWithItsPacketsAndResumedInOrder() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong waitingCounter = new AtomicLong();
        CounterSource waiting = new CounterSource() {
            @Override
            public long next() {
                return waitingCounter.getAndIncrement();
            }

            @Override
            public boolean ready() {
                return ready.get();
            }
        };
        Tin parked = s.addPeer("waiting", waiting);
        Tin live = s.addPeer("live", new AtomicLong()::getAndIncrement);
        for (int i = 0; i < 5; i++) {
            s.enqueue(parked, Packets.udp(pool, classifier, 5000, 100 + i, 0));
            s.enqueue(live, Packets.udp(pool, classifier, 6000, 100, 0));
        }
        for (int i = 0; i < 5; i++) { // the live peer is served; the waiting one keeps its packets
            PacketBuffer b = s.dequeue();
            assertThat(b.owner).isEqualTo("live");
            b.release();
        }
        assertThat(s.dequeue()).isNull();
        assertThat(parked.isParked()).isTrue();
        assertThat(parked.packets()).isEqualTo(5);
        assertThat(s.resumeReady()).isZero();
        s.enqueue(parked, Packets.udp(pool, classifier, 5000, 105, 0)); // still parked: stays queued
        assertThat(s.dequeue()).isNull();

        ready.set(true);
        assertThat(s.resumeReady()).isEqualTo(1);
        assertThat(s.hasParked()).isFalse();
        for (int i = 0; i < 6; i++) {
            PacketBuffer b = s.dequeue();
            assertThat(b.owner).isEqualTo("waiting");
            assertThat(b.length).as("flow order kept").isEqualTo(100 + i);
            assertThat(b.counter).as("counters at dequeue, in order").isEqualTo(i);
            b.release();
        }
        assertThat(s.dequeue()).isNull();
    }

    @Test
    void removingAParkedTinReleasesItsPackets() {
        PeerScheduler s = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), clock));
        Tin t = s.addPeer("never", new CounterSource() {
            @Override
            public long next() {
                return 0;
            }

            @Override
            public boolean ready() {
                return false;
            }
        });
        s.enqueue(t, Packets.udp(pool, classifier, 1, 100, 0));
        assertThat(s.dequeue()).isNull();
        s.removePeer(t);
        assertThat(s.hasParked()).isFalse();
        assertThat(s.packets()).isZero();
    }
}
