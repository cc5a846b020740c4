package dev.wgmesh.dataplane.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.queue.FixedBudget;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.queue.FqCodel;
import dev.wgmesh.dataplane.queue.Packets;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import dev.wgmesh.dataplane.queue.Tin;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class CryptoDispatcherTest {
    @Test
    void budgetBoundsBytesInFlightAndTheRestWaitsInFqCodel() {
        BufferPool pool = new BufferPool(1600, 4096);
        FlowClassifier classifier = new FlowClassifier(5);
        // This test is about the byte budget, not CoDel: with deliberately slow crypto (and a loaded CI machine)
        // packets wait far longer than CoDel's 5 ms target and would rightly be dropped, so CoDel is set out of
        // reach here. CoDel's own schedule is tested with a fake clock in CodelTest.
        FqCodel.Config d = FqCodel.Config.defaults();
        FqCodel.Config noCodel = new FqCodel.Config(
                d.flows(),
                d.packetLimit(),
                d.memoryLimit(),
                d.mtu(),
                d.overhead(),
                d.quantum(),
                3_600_000_000_000L,
                7_200_000_000_000L,
                d.ecn(),
                d.dropBatch());
        PeerScheduler scheduler = new PeerScheduler(new FqCodel(noCodel, System::nanoTime));
        AtomicLong sent = new AtomicLong();
        FixedBudget budget = new FixedBudget(10 * 1032);
        try (OrderedCryptoPipeline pipeline = new OrderedCryptoPipeline(
                2,
                w -> p -> {
                    LockSupport.parkNanos(50_000); // slow crypto: the budget, not the workers, must hold packets back
                    return p.length;
                },
                (peer, packets, count) -> {
                    for (int i = 0; i < count; i++) {
                        packets[i].release();
                    }
                    sent.addAndGet(count);
                },
                4,
                64,
                System::nanoTime)) {
            Tin tin = scheduler.addPeer(pipeline.newLane("a"), new AtomicLong()::getAndIncrement);
            CryptoDispatcher dispatcher = new CryptoDispatcher(scheduler, budget, pipeline, System::nanoTime);
            for (int i = 0; i < 200; i++) {
                PacketBuffer p = Packets.udp(pool, classifier, 1000 + i % 8, 1000, 0);
                scheduler.enqueue(tin, p);
            }
            long maxInFlight = 0;
            int maxQueued = 0;
            long deadline = System.nanoTime() + 20_000_000_000L;
            // On a loaded machine the slow workers can keep packets queued past CoDel's interval: CoDel then drops
            // some, which is its job; count them as accounted for.
            while (sent.get() + tin.stats().get(PeerQueueStats.DROPS_CODEL) < 200 && System.nanoTime() < deadline) {
                dispatcher.pump();
                maxInFlight = Math.max(maxInFlight, budget.inFlight());
                maxQueued = Math.max(maxQueued, scheduler.packets());
                Thread.onSpinWait();
            }
            assertThat(sent.get() + tin.stats().get(PeerQueueStats.DROPS_CODEL)).isEqualTo(200);
            assertThat(sent.get()).isGreaterThan(100);
            assertThat(maxInFlight).isLessThanOrEqualTo(10 * 1032);
            assertThat(maxInFlight).isGreaterThanOrEqualTo(5 * 1032); // and the budget is actually used
            assertThat(maxQueued).isGreaterThan(150); // the backlog stayed in FQ-CoDel
        }
    }
}
