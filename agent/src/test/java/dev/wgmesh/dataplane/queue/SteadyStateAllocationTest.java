package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Classify → enqueue → (overflow drops, CoDel drops and ECN marks) → DRR dequeue with counters must not allocate
 * per packet. Measured with the JVM's per-thread allocated-bytes counter (bytes, not time).
 */
class SteadyStateAllocationTest {
    @Test
    void schedulerHotPathDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        FakeClock clock = new FakeClock();
        FlowClassifier classifier = new FlowClassifier(3);
        BufferPool pool = new BufferPool(1600, 4000);
        FqCodel fq = new FqCodel(FqCodel.Config.defaults().withLimits(2000, 32L << 20), clock);
        PeerScheduler s = new PeerScheduler(fq);
        Tin[] peers = new Tin[4];
        for (int i = 0; i < peers.length; i++) {
            peers[i] = s.addPeer("p" + i, new AtomicLong()::getAndIncrement);
        }
        PacketBuffer[] batch = new PacketBuffer[32];
        Random rnd = new Random(1);
        int[] ports = new int[4096];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = rnd.nextInt(64);
        }
        long[] marksAndDrops = new long[1];
        Runnable round = () -> {
            for (int k = 0; k < 4096; k++) {
                PacketBuffer b = pool.acquire();
                Packets.ipv4Udp(b, 1000 + ports[k], 1400, k & 2); // half ECT(0), half not
                b.flowHash = classifier.hash(b.data, b.offset, b.length);
                marksAndDrops[0] += s.enqueue(peers[k & 3], b);
                if ((k & 1) == 1) {
                    clock.now += 500_000; // service slower than arrival: standing queue, CoDel active
                    int n = s.dequeueBatch(batch, 1, 1 << 20);
                    for (int i = 0; i < n; i++) {
                        batch[i].release();
                        batch[i] = null;
                    }
                }
            }
        };
        for (int i = 0; i < 50; i++) {
            round.run(); // warm-up: JIT, pool fully created
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) {
            round.run();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        long codelDrops = 0;
        long marks = 0;
        for (Tin t : peers) {
            codelDrops += t.stats().snapshot().dropsCodel();
            marks += t.stats().snapshot().ecnMarks();
        }
        assertThat(codelDrops).isPositive();
        assertThat(marks).isPositive();
        // 81,920 packets: one 16-byte allocation per packet would be 1.3 MB.
        assertThat(allocated).isLessThan(4096);
    }
}
