package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodelTest {
    private static final long MS = 1_000_000L;

    /** A plain FIFO that records what CoDel did. */
    static final class ListQueue implements Codel.Queue {
        final ArrayDeque<PacketBuffer> q = new ArrayDeque<>();
        long backlog;
        final List<PacketBuffer> dropped = new ArrayList<>();
        final List<PacketBuffer> marked = new ArrayList<>();

        void add(PacketBuffer b) {
            q.add(b);
            backlog += b.length;
        }

        @Override
        public PacketBuffer pollHead() {
            PacketBuffer b = q.poll();
            if (b != null) {
                backlog -= b.length;
            }
            return b;
        }

        @Override
        public long backlogBytes() {
            return backlog;
        }

        @Override
        public void onCodelDrop(PacketBuffer b) {
            dropped.add(b);
        }

        @Override
        public void onCodelMark(PacketBuffer b) {
            marked.add(b);
        }
    }

    private static PacketBuffer packet(long enqueueNanos, int ecn) {
        PacketBuffer b = PacketBuffer.unpooled(1600);
        Packets.ipv4Udp(b, 4000, 1400, ecn);
        b.enqueueNanos = enqueueNanos;
        return b;
    }

    /**
     * A standing queue served one packet per millisecond, each having waited 20 ms: the first drop comes one
     * interval after the sojourn first exceeded target, then drops follow the control law
     * dropNext(k+1) = dropNext(k) + interval / sqrt(k). We check every drop time against that law computed in
     * doubles.
     */
    @Test
    void dropScheduleFollowsTheControlLaw() {
        Codel codel = new Codel(5 * MS, 100 * MS, 1500, false);
        Codel.State s = new Codel.State();
        ListQueue q = new ListQueue();
        long start = 10_000 * MS;
        long now = start;
        List<Long> dropTimes = new ArrayList<>();
        for (int step = 0; step < 2000; step++) {
            while (q.q.size() < 20) {
                q.add(packet(now - 20 * MS, Packets.NOT_ECT));
            }
            int before = q.dropped.size();
            PacketBuffer out = codel.dequeue(s, q, now);
            assertThat(out).isNotNull();
            for (int i = before; i < q.dropped.size(); i++) {
                dropTimes.add(now);
            }
            now += MS;
        }
        // Reference: first drop at start + interval; then each next drop at the first 1 ms tick >= dropNext.
        List<Long> expected = new ArrayList<>();
        double dropNext = start + 100 * MS;
        int count = 0;
        for (long t = start; t < start + 2000 * MS; t += MS) {
            if (t >= dropNext) {
                expected.add(t);
                count++;
                dropNext = (count == 1 ? t : dropNext) + 100 * MS / Math.sqrt(count);
            }
        }
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(dropTimes).containsExactlyElementsOf(expected);
        assertThat(s.count()).isEqualTo(expected.size());
        assertThat((double) s.dropNext())
                .isCloseTo(dropNext, within(2.0 * s.count())); // ≤ 2 ns of fixed-point rounding per step
    }

    @Test
    void marksEcnCapablePacketsInsteadOfDropping() {
        Codel codel = new Codel(5 * MS, 100 * MS, 1500, true);
        Codel.State s = new Codel.State();
        ListQueue q = new ListQueue();
        long now = 10_000 * MS;
        List<PacketBuffer> delivered = new ArrayList<>();
        for (int step = 0; step < 500; step++) {
            while (q.q.size() < 20) {
                q.add(packet(now - 20 * MS, Packets.ECT0));
            }
            delivered.add(codel.dequeue(s, q, now));
            now += MS;
        }
        assertThat(q.dropped).isEmpty();
        assertThat(q.marked).hasSizeGreaterThan(5);
        assertThat(delivered).containsAll(q.marked).doesNotContainNull();
        for (PacketBuffer m : q.marked) {
            assertThat(m.data[m.offset + 1] & 3).isEqualTo(3);
            assertThat(Packets.ipv4Checksum(m.data, m.offset, 20)).isZero();
        }
    }

    @Test
    void marksEcnCapableIpv6PacketsInsteadOfDropping() {
        Codel codel = new Codel(5 * MS, 100 * MS, 1500, true);
        Codel.State s = new Codel.State();
        ListQueue q = new ListQueue();
        long now = 10_000 * MS;
        for (int step = 0; step < 500; step++) {
            while (q.q.size() < 20) {
                PacketBuffer b = PacketBuffer.unpooled(1600);
                b.data[b.offset] = 0x60;
                b.data[b.offset + 1] = 0x10; // traffic class 0x01: ECT(1)
                b.data[b.offset + 6] = 17;
                b.length = 1400;
                b.enqueueNanos = now - 20 * MS;
                q.add(b);
            }
            codel.dequeue(s, q, now);
            now += MS;
        }
        assertThat(q.dropped).isEmpty();
        assertThat(q.marked).hasSizeGreaterThan(5);
        for (PacketBuffer m : q.marked) {
            assertThat(m.data[m.offset + 1]).isEqualTo((byte) 0x30); // CE, flow label untouched
            assertThat(m.data[m.offset]).isEqualTo((byte) 0x60);
        }
    }

    @Test
    void dropsNotEctPacketsEvenWithEcnEnabled() {
        Codel codel = new Codel(5 * MS, 100 * MS, 1500, true);
        Codel.State s = new Codel.State();
        ListQueue q = new ListQueue();
        long now = 10_000 * MS;
        for (int step = 0; step < 500; step++) {
            while (q.q.size() < 20) {
                q.add(packet(now - 20 * MS, Packets.NOT_ECT));
            }
            codel.dequeue(s, q, now);
            now += MS;
        }
        assertThat(q.marked).isEmpty();
        assertThat(q.dropped).hasSizeGreaterThan(5);
    }

    @Test
    void noDropsBelowTargetOrWithOneMtuQueued() {
        Codel codel = new Codel(5 * MS, 100 * MS, 1500, false);
        Codel.State s = new Codel.State();
        ListQueue q = new ListQueue();
        long now = 10_000 * MS;
        for (int step = 0; step < 1000; step++) {
            q.add(packet(now - 4 * MS, Packets.NOT_ECT)); // below target, 2 queued
            q.add(packet(now - 4 * MS, Packets.NOT_ECT));
            codel.dequeue(s, q, now);
            codel.dequeue(s, q, now);
            q.add(packet(now - 50 * MS, Packets.NOT_ECT)); // far above target but alone: under one MTU left
            codel.dequeue(s, q, now);
            now += MS;
        }
        assertThat(q.dropped).isEmpty();
    }

    @Test
    void quickReentryResumesTheCount() {
        Codel codel = new Codel(5 * MS, 100 * MS, 1500, false);
        Codel.State s = new Codel.State();
        ListQueue q = new ListQueue();
        long now = 10_000 * MS;
        for (int step = 0; step < 1500; step++) { // long enough to reach count >= 4
            while (q.q.size() < 20) {
                q.add(packet(now - 20 * MS, Packets.NOT_ECT));
            }
            codel.dequeue(s, q, now);
            now += MS;
        }
        int countBefore = s.count();
        assertThat(countBefore).isGreaterThan(3);
        // The queue drains: sojourn below target ends the dropping state.
        q.q.clear();
        q.backlog = 0;
        q.add(packet(now - MS, Packets.NOT_ECT));
        q.add(packet(now - MS, Packets.NOT_ECT));
        codel.dequeue(s, q, now);
        assertThat(s.dropping()).isFalse();
        // Congestion returns shortly after: CoDel re-enters with count = previous count - lastCount, not 1.
        int dropsBefore = q.dropped.size();
        int lastCountAtEntry = 1;
        while (q.dropped.size() == dropsBefore) {
            now += MS;
            while (q.q.size() < 20) {
                q.add(packet(now - 20 * MS, Packets.NOT_ECT));
            }
            codel.dequeue(s, q, now);
        }
        assertThat(s.dropping()).isTrue();
        assertThat(s.count()).isEqualTo(countBefore - lastCountAtEntry);
    }

    @Test
    void fixedPointInverseSquareRootIsAccurate() {
        for (int n = 1; n < 100_000; n += (n < 5000 ? 1 : 97)) {
            double exact = 4294967296.0 / Math.sqrt(n);
            assertThat((double) Codel.invSqrt(n)).as("n=%d", n).isCloseTo(exact, within(exact * 1e-6 + 2));
        }
        long y = Codel.invSqrt(Codel.TABLE_SIZE - 1);
        for (int n = Codel.TABLE_SIZE; n < Codel.TABLE_SIZE + 5000; n++) {
            y = Codel.newtonStep(y, n);
            double exact = 4294967296.0 / Math.sqrt(n);
            assertThat((double) y).as("newton n=%d", n).isCloseTo(exact, within(exact * 1e-6 + 2));
        }
    }
}
