package dev.wgmesh.dataplane.pipeline;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.queue.CryptoBudget;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The scheduler thread's output stage: moves packets from the {@link PeerScheduler} (which assigns their counters
 * as they leave) into the {@link OrderedCryptoPipeline}, no more than the {@link CryptoBudget} allows in flight.
 * Whatever the budget holds back stays in FQ-CoDel, where it is fair and CoDel can see its sojourn time.
 *
 * <p>Peers must be added to the scheduler with their {@link PeerLane} as the tin owner
 * ({@code scheduler.addPeer(pipeline.newLane(peer), counters)}), so a departing packet names its lane.
 *
 * <p>How the device adopts it (all on the scheduler thread except the workers and the sink):
 *
 * <pre>{@code
 * OrderedCryptoPipeline pipeline = new OrderedCryptoPipeline(cores, w -> sealOp(), udpSink, 32, 128, System::nanoTime);
 * PeerScheduler scheduler = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), System::nanoTime));
 * CryptoDispatcher dispatcher = new CryptoDispatcher(scheduler, DqlBudget.shortHold(1452, 4 << 20), pipeline, System::nanoTime);
 * Tin tin = scheduler.addPeer(pipeline.newLane(peer), peerCounterSource);   // per peer, at configuration time
 * // per packet read from the TUN device:
 * buf.flowHash = classifier.hash(buf.data, buf.offset, buf.length);
 * scheduler.enqueue(tin, buf);
 * dispatcher.pump();   // also whenever the loop is otherwise idle, so completions are reclaimed
 * }</pre>
 *
 * <p>Threading contract: {@link #pump} runs on the scheduler thread, the same thread that calls the scheduler,
 * the budget and the pipeline's dispatcher methods.
 */
public final class CryptoDispatcher {
    private final PeerScheduler scheduler;
    private final CryptoBudget budget;
    private final OrderedCryptoPipeline pipeline;
    private final LongSupplier clock;
    private final Function<PacketBuffer, PeerLane> laneOf;

    public CryptoDispatcher(
            PeerScheduler scheduler, CryptoBudget budget, OrderedCryptoPipeline pipeline, LongSupplier clock) {
        this(scheduler, budget, pipeline, clock, b -> (PeerLane) b.owner);
    }

    /**
     * @param laneOf the lane of a packet leaving the scheduler (by default its {@code owner}; a device whose
     *     receive tins keep the packet's own owner resolves those here)
     */
    public CryptoDispatcher(
            PeerScheduler scheduler,
            CryptoBudget budget,
            OrderedCryptoPipeline pipeline,
            LongSupplier clock,
            Function<PacketBuffer, PeerLane> laneOf) {
        this.scheduler = scheduler;
        this.budget = budget;
        this.pipeline = pipeline;
        this.clock = clock;
        this.laneOf = laneOf;
    }

    /**
     * Reclaims finished batches, then dispatches packets while the budget and free batches allow; partly filled
     * batches leave when the crypto threads are about to run dry ({@link OrderedCryptoPipeline#flushIfRunningDry}).
     *
     * @return packets dispatched
     */
    public int pump() {
        long now = clock.getAsLong();
        pipeline.reclaim(budget, now);
        int n = 0;
        while (scheduler.packets() > 0 && pipeline.canSubmit() && budget.available(now) > 0) {
            PacketBuffer p = scheduler.dequeue();
            if (p == null) {
                break;
            }
            int cost = scheduler.fq().cost(p);
            budget.onDispatched(cost, now);
            pipeline.submit(laneOf.apply(p), p, cost);
            n++;
        }
        pipeline.flushIfRunningDry();
        return n;
    }

    public CryptoBudget budget() {
        return budget;
    }
}
