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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FqCodelTest {
    private final FakeClock clock = new FakeClock();
    private final FlowClassifier classifier = new FlowClassifier(12345);
    private final BufferPool pool = new BufferPool(1600, 20_000);

    private FqCodel fq(FqCodel.Config config) {
        return new FqCodel(config, clock);
    }

    private Tin tin(FqCodel fq) {
        return fq.addTin("peer", new AtomicLong()::getAndIncrement);
    }

    /** Ports whose flows land in distinct slots (no collisions), so tests control the flow structure. */
    private List<Integer> distinctFlowPorts(int n, int flows) {
        List<Integer> ports = new ArrayList<>();
        java.util.Set<Integer> slots = new java.util.HashSet<>();
        PacketBuffer b = PacketBuffer.unpooled(1600);
        for (int port = 1000; ports.size() < n; port++) {
            Packets.ipv4Udp(b, port, 100, 0);
            int h = classifier.hash(b.data, b.offset, b.length);
            int slot = (int) (((h & 0xffff_ffffL) * flows) >>> 32);
            if (slots.add(slot)) {
                ports.add(port);
            }
        }
        return ports;
    }

    @Test
    void newSparseFlowOvertakesBulkBacklog() {
        FqCodel fq = fq(FqCodel.Config.defaults());
        Tin t = tin(fq);
        List<Integer> ports = distinctFlowPorts(11, 1024);
        for (int i = 0; i < 10; i++) { // ten bulk flows, 50 packets each
            for (int k = 0; k < 50; k++) {
                fq.enqueue(t, Packets.udp(pool, classifier, ports.get(i), 1400, 0));
            }
        }
        for (int i = 0; i < 25; i++) { // every bulk flow has been served and sits on old_flows
            fq.dequeue(t).release();
        }
        int sparse = ports.get(10);
        fq.enqueue(t, Packets.udp(pool, classifier, sparse, 80, 0));
        PacketBuffer next = fq.dequeue(t);
        assertThat(Packets.srcPort(next)).isEqualTo(sparse);
    }

    @Test
    void overflowDropsHalfOfTheFattestFlowFromItsHead() {
        FqCodel fq = fq(FqCodel.Config.defaults().withLimits(100, 32L << 20));
        Tin t = tin(fq);
        List<Integer> ports = distinctFlowPorts(3, 1024);
        List<PacketBuffer> fat = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
            PacketBuffer b = Packets.udp(pool, classifier, ports.get(0), 1000, 0);
            b.tag = k;
            fat.add(b);
            fq.enqueue(t, b);
        }
        for (int k = 0; k < 30; k++) {
            fq.enqueue(t, Packets.udp(pool, classifier, ports.get(1), 1000, 0));
        }
        for (int k = 0; k < 10; k++) {
            assertThat(fq.enqueue(t, Packets.udp(pool, classifier, ports.get(2), 1000, 0)))
                    .isZero();
        }
        int dropped = fq.enqueue(t, Packets.udp(pool, classifier, ports.get(2), 1000, 0));

        assertThat(dropped).isEqualTo(30); // half of 60 equal packets
        assertThat(t.stats().get(PeerQueueStats.DROPS_OVERFLOW)).isEqualTo(30);
        assertThat(fq.packets()).isEqualTo(71);
        List<Long> fatLeft = new ArrayList<>();
        PacketBuffer b;
        while ((b = fq.dequeue(t)) != null) {
            if (Packets.srcPort(b) == ports.get(0)) {
                fatLeft.add(b.tag);
            }
            b.release();
        }
        assertThat(fatLeft).hasSize(30).startsWith(30L, 31L).endsWith(59L); // the head went
    }

    @Test
    void overflowDropsAtMost64PacketsAndHonoursTheMemoryLimit() {
        // Memory limit of 200 buffers; one flow fills it: each overflow drops from its head, never more than 64.
        FqCodel fq = fq(FqCodel.Config.defaults().withLimits(10_240, 200L * 1600));
        Tin t = tin(fq);
        int maxDrop = 0;
        for (int k = 0; k < 1000; k++) {
            maxDrop = Math.max(maxDrop, fq.enqueue(t, Packets.udp(pool, classifier, 5000, 1400, 0)));
            assertThat(fq.memoryUsage()).isLessThanOrEqualTo(200L * 1600);
        }
        assertThat(maxDrop).isEqualTo(64); // half of ~200 packets would be 100: capped
        assertThat(t.stats().get(PeerQueueStats.DROPS_OVERFLOW) + fq.packets()).isEqualTo(1000);
        assertThat(pool.created()).isLessThan(300); // dropped buffers went back to the pool
    }

    @Test
    void drrSharesBytesEquallyBetweenFlowsOfDifferentPacketSizes() {
        FqCodel fq = fq(FqCodel.Config.defaults());
        Tin t = tin(fq);
        List<Integer> ports = distinctFlowPorts(3, 1024);
        int[] sizes = {1400, 700, 120};
        Map<Integer, Long> bytes = new HashMap<>();
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < 3; i++) { // keep every flow backlogged
                int need = sizes[i] == 1400 ? 2 : sizes[i] == 700 ? 3 : 15;
                for (int k = 0; k < need; k++) {
                    fq.enqueue(t, Packets.udp(pool, classifier, ports.get(i), sizes[i], 0));
                }
            }
            for (int k = 0; k < 5; k++) {
                PacketBuffer b = fq.dequeue(t);
                bytes.merge(Packets.srcPort(b), (long) fq.cost(b), Long::sum);
                b.release();
            }
            if (fq.packets() > 5000) {
                break;
            }
        }
        long total = bytes.values().stream().mapToLong(Long::longValue).sum();
        for (int i = 0; i < 3; i++) {
            assertThat((double) bytes.get(ports.get(i)) / total).isCloseTo(1.0 / 3, within(0.03));
        }
    }

    @Test
    void flowSlotHeldByAnotherTinFallsIntoTheDefaultFlow() {
        FqCodel fq = fq(FqCodel.Config.defaults());
        Tin a = tin(fq);
        Tin b = fq.addTin("b", new AtomicLong()::getAndIncrement);
        fq.enqueue(a, Packets.udp(pool, classifier, 7000, 500, 0));
        fq.enqueue(b, Packets.udp(pool, classifier, 7000, 500, 0)); // same 5-tuple, other peer
        assertThat(b.stats().get(PeerQueueStats.COLLISIONS)).isEqualTo(1);
        assertThat(fq.dequeue(b)).isNotNull();
        assertThat(fq.dequeue(a)).isNotNull();
        assertThat(fq.dequeue(a)).isNull();
        assertThat(fq.dequeue(b)).isNull();
        assertThat(fq.packets()).isZero();
    }

    @Test
    void codelDropsAndMarksAreCountedPerReason() {
        FqCodel fq = fq(FqCodel.Config.defaults());
        Tin t = tin(fq);
        List<Integer> ports = distinctFlowPorts(2, 1024);
        for (int step = 0; step < 1000; step++) {
            for (int k = 0; k < 2; k++) { // arrivals twice the service rate: a standing queue
                fq.enqueue(t, Packets.udp(pool, classifier, ports.get(0), 1400, Packets.NOT_ECT));
                fq.enqueue(t, Packets.udp(pool, classifier, ports.get(1), 1400, Packets.ECT0));
            }
            clock.advanceMillis(1);
            for (int k = 0; k < 2; k++) {
                PacketBuffer b = fq.dequeue(t);
                if (b != null) {
                    b.release();
                }
            }
        }
        PeerQueueStats.Snapshot s = t.stats().snapshot();
        assertThat(s.dropsCodel()).isGreaterThan(10);
        assertThat(s.ecnMarks()).isGreaterThan(10);
        assertThat(s.dropsOverflow()).isZero();
        assertThat(s.sojournP99Nanos()).isGreaterThan(5_000_000L);
        assertThat(s.queuedPackets()).isEqualTo(fq.packets());
    }
}
