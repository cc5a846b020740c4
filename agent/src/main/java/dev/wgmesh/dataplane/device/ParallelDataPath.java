package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.pipeline.CryptoDispatcher;
import dev.wgmesh.dataplane.pipeline.CryptoOp;
import dev.wgmesh.dataplane.pipeline.OrderedCryptoPipeline;
import dev.wgmesh.dataplane.pipeline.PeerLane;
import dev.wgmesh.dataplane.queue.CryptoBudget;
import dev.wgmesh.dataplane.queue.DqlBudget;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.queue.FqCodel;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import dev.wgmesh.dataplane.queue.Tin;
import dev.wgmesh.dataplane.stats.LogHistogram;
import dev.wgmesh.dataplane.stats.WorkerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * The fair multi-core data path ({@link DataPathMode#PARALLEL}).
 *
 * <pre>
 *  TUN reader ─(route, classify)─▶ per-peer txIn ─┐                   ┌─▶ tx sink: send UDP, timer hooks
 *                                                 ▼                   │
 *          dispatcher: PeerScheduler (FQ-CoDel per peer, DRR across   │
 *          peers, counter at dequeue) under the DQL budget ─────────▶ ├── OrderedCryptoPipeline: N workers,
 *                                                                     │   batches, per-peer order restored
 *  UDP receiver ─(index, keypair)─▶ rxIn ─▶ dispatcher ─────────────▶ │
 *                                                                     └─▶ rx sink: replay filter, timers, TUN
 * </pre>
 *
 * <ol>
 *   <li>TUN reader ({@link SendPath}) and UDP receiver ({@link ReceivePath}): read, do the cheap lookups, hand the
 *       buffer over ({@link #offerTx}, {@link #offerRx}: never block; a full hand-off queue drops and counts).
 *   <li>Dispatcher (one thread, owns the scheduler, the budget and the pipeline's dispatch side): moves transmit
 *       packets into their peer's FQ-CoDel tin (drop from the fattest flow on overflow, never requeue); a tin whose
 *       peer has no usable keypair is parked with its packets (the staging queue) and a handshake starts; DRR
 *       dequeues with counters while the budget allows. Received packets go straight to the pipeline (charged to
 *       the same budget: it bounds bytes in flight to the workers in both directions, but never holds receive back).
 *   <li>Workers (parallel): seal or open in place ({@link TransportCryptoOp}); each peer's lane then hands its batches,
 *       in order, to {@link TransportSink} — for receive, the replay filter sees counters in arrival order and runs
 *       serialised per peer, which is the contract of {@code ReplayFilter}.
 * </ol>
 *
 * <p>The per-peer scheduler state ({@link PeerSendState}) lives on the dispatcher thread only.
 */
final class ParallelDataPath implements Runnable {
    static final long RX = 1;
    /**
     * Transmit hand-off, one small queue per peer: when the TUN reader outruns the dispatcher (a flood on a starved
     * machine), the overflow falls on the peer being flooded, not on every peer as with one shared FIFO; the
     * dispatcher drains ready peers round robin, at most {@link #DRAIN_QUANTUM} packets each per turn.
     */
    static final int PEER_HANDOFF = 512;

    private static final int DRAIN_QUANTUM = 64;
    private static final int DRAIN_MAX = 2048;
    /**
     * Receive hand-off: a FIFO the scheduler cannot see into (inner flows are unknown before decryption), so it is
     * kept short; receive is held back by the crypto budget like transmit, and overflow drops here (counted).
     */
    private static final int RX_HANDOFF = 256;

    private static final int BATCH_PACKETS = 32;
    private static final int BATCHES = 64;
    private static final long HOUSEKEEPING_NANOS = 50_000_000L;

    private final Device device;
    private final FlowClassifier classifier = FlowClassifier.withRandomSeed();
    /** Peers whose hand-off queue has packets, each at most once (its {@code scheduled} flag). */
    private final MpscArrayQueue<Peer> readyPeers = new MpscArrayQueue<>(1 << 16);

    private final MpscArrayQueue<PacketBuffer> rxIn = new MpscArrayQueue<>(RX_HANDOFF);
    private final PeerScheduler scheduler;
    private final CryptoBudget budget;
    private final int workers;
    /** Test hook: wraps each worker's crypto operation (e.g. random delays); identity in production. */
    private volatile UnaryOperator<CryptoOp> decorator = UnaryOperator.identity();
    // Created by start() before the dispatcher thread starts (Thread.start publishes them); workers live until the
    // dispatcher thread ends.
    private volatile OrderedCryptoPipeline pipeline;
    private CryptoDispatcher dispatcher;
    // dispatcher thread only: peers that own a tin
    private final List<Peer> withTin = new ArrayList<>();
    private long lastHousekeeping;

    private static final java.lang.invoke.VarHandle SCHEDULED;

    static {
        try {
            SCHEDULED = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(PeerSendState.class, "scheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Thread thread;
    private volatile boolean parked;

    ParallelDataPath(Device device, int workers, long queueMemoryBytes) {
        this.device = device;
        FqCodel fq = new FqCodel(FqCodel.Config.defaults().withLimits(10240, queueMemoryBytes), System::nanoTime);
        this.scheduler = new PeerScheduler(fq);
        this.budget = DqlBudget.shortHold(FqCodel.Config.DEFAULT_MTU + FqCodel.Config.WIREGUARD_OVERHEAD, 4L << 20);
        this.workers = workers;
    }

    /** Starts the crypto workers; the caller then runs {@link #run} on the dispatcher thread. */
    void start() {
        UnaryOperator<CryptoOp> d = decorator;
        TransportSink sink = new TransportSink(device);
        OrderedCryptoPipeline p = new OrderedCryptoPipeline(
                workers, w -> d.apply(new TransportCryptoOp(device)), sink, BATCH_PACKETS, BATCHES, System::nanoTime);
        dispatcher = new CryptoDispatcher(scheduler, budget, p, System::nanoTime);
        pipeline = p;
    }

    void setDecorator(UnaryOperator<CryptoOp> d) {
        decorator = d;
    }

    // ---- producers (TUN reader, UDP receiver) ----

    /** TUN reader: a routed plaintext packet for {@code peer}; ownership passes here. Never blocks. */
    void offerTx(Peer peer, PacketBuffer b) {
        b.flowHash = classifier.hash(b.data, b.offset, b.length);
        PeerSendState s = peer.sendState;
        if (!s.txIn.offer(b)) {
            b.release();
            device.counters().drop(DropReason.QUEUE_OVERFLOW);
            return;
        }
        if (!s.scheduled && SCHEDULED.compareAndSet(s, false, true)) {
            readyPeers.offer(peer); // cannot fail below 65536 peers with packets in flight
        }
        wake();
    }

    /**
     * UDP receiver: a transport message at {@code b.data[0..b.length)} for {@code entry}'s keypair, with its counter
     * in {@code b.counter} and its source in {@code b.context}. Never blocks.
     */
    void offerRx(PacketBuffer b) {
        b.tag = RX;
        if (!rxIn.offer(b)) {
            b.release();
            device.counters().drop(DropReason.QUEUE_OVERFLOW);
            return;
        }
        wake();
    }

    private void wake() {
        if (parked) {
            parked = false;
            LockSupport.unpark(thread);
        }
    }

    // ---- dispatcher thread ----

    @Override
    public void run() {
        thread = Thread.currentThread();
        int idle = 0;
        try {
            while (device.isRunning()) {
                int work = drainTx() + drainRx();
                work += dispatcher.pump();
                pipeline.flush();
                long now = System.nanoTime();
                if (scheduler.hasParked() || now - lastHousekeeping > HOUSEKEEPING_NANOS) {
                    scheduler.resumeReady();
                }
                if (now - lastHousekeeping > HOUSEKEEPING_NANOS) {
                    lastHousekeeping = now;
                    housekeeping();
                }
                if (work > 0) {
                    idle = 0;
                } else {
                    idle = idle(idle);
                }
            }
        } finally {
            pipeline.close();
            Peer p;
            while ((p = readyPeers.poll()) != null) {
                releaseAll(p.sendState.txIn);
            }
            releaseAll(rxIn);
        }
    }

    private int drainTx() {
        int n = 0;
        Peer peer;
        while (n < DRAIN_MAX && (peer = readyPeers.relaxedPoll()) != null) {
            PeerSendState s = peer.sendState;
            PacketBuffer b;
            int k = 0;
            while (k < DRAIN_QUANTUM && (b = s.txIn.relaxedPoll()) != null) {
                k++;
                enqueue(peer, b);
            }
            n += k;
            if (!s.txIn.isEmpty()) {
                readyPeers.offer(peer); // still scheduled: back of the round
            } else {
                s.scheduled = false;
                if (!s.txIn.isEmpty() && SCHEDULED.compareAndSet(s, false, true)) {
                    readyPeers.offer(peer); // the reader added one after our last poll and saw the flag still set
                }
            }
        }
        return n;
    }

    private void enqueue(Peer peer, PacketBuffer b) {
        PeerSendState s = peer.sendState;
        if (s.dropRequested) {
            flushTin(peer);
        }
        if (peer.isDestroyed()) {
            b.release();
            return;
        }
        if (s.tin == null) {
            s.lane = s.lane == null ? pipeline.newLane(peer) : s.lane;
            s.tin = scheduler.addPeer(s.lane, peer.counterSource());
            s.lastTin = s.tin;
            withTin.add(peer);
        }
        scheduler.enqueue(s.tin, b);
        if (s.tin.isParked() || !peer.counterSource().ready()) {
            peer.sendHandshakeInitiation(false); // rate limited by the timers (§6.2)
        }
    }

    private int drainRx() {
        int n = 0;
        PacketBuffer b;
        long now = System.nanoTime();
        while (pipeline.canSubmit() && budget.available(now) > 0 && (b = rxIn.relaxedPoll()) != null) {
            n++;
            Peer peer = ((IndexEntry) b.owner).peer();
            PeerSendState s = peer.sendState;
            if (s.rxLane == null) {
                s.rxLane = pipeline.newLane(peer);
            }
            budget.onDispatched(b.length, now);
            pipeline.submit(s.rxLane, b, b.length);
        }
        return n;
    }

    /** Drops a peer's queued packets (handshake gave up, keys zeroed): a fresh tin replaces the old one. */
    private void flushTin(Peer peer) {
        PeerSendState s = peer.sendState;
        s.dropRequested = false;
        if (s.tin != null) {
            int queued = s.tin.packets();
            scheduler.removePeer(s.tin);
            s.tin = null;
            withTin.remove(peer);
            device.counters().drop(DropReason.STAGED_OVERFLOW, queued);
        }
    }

    private void housekeeping() {
        for (int i = withTin.size() - 1; i >= 0; i--) {
            Peer p = withTin.get(i);
            if (p.sendState.dropRequested || p.isDestroyed()) {
                flushTin(p);
            }
        }
    }

    /** Spin, yield, then park: briefly while batches are in flight (their completion frees budget), else up to 1 ms. */
    private int idle(int idle) {
        if (idle < 50) {
            Thread.onSpinWait();
        } else if (idle < 60) {
            Thread.yield();
        } else {
            parked = true;
            if (readyPeers.isEmpty() && rxIn.isEmpty()) {
                LockSupport.parkNanos(pipeline.batchesInFlight() > 0 ? 20_000 : 1_000_000);
            }
            parked = false;
        }
        return idle + 1;
    }

    private static void releaseAll(java.util.Queue<PacketBuffer> q) {
        PacketBuffer b;
        while ((b = q.poll()) != null) {
            b.release();
        }
    }

    // ---- statistics (any thread) ----

    /** Null before the device started. */
    WorkerStats workerStats() {
        OrderedCryptoPipeline p = pipeline;
        return p == null ? null : p.workerStats();
    }

    /** Null before the device started. */
    LogHistogram stageLatency() {
        OrderedCryptoPipeline p = pipeline;
        return p == null ? null : p.stageLatency();
    }

    long budgetLimit() {
        return budget.limit();
    }

    /** Unparks the dispatcher so it notices a stop or a handshake that completed. */
    void nudge() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Per-peer state of the parallel path; fields other than {@link #dropRequested} are dispatcher-thread only. */
    static final class PeerSendState {
        /** Plaintext from the TUN reader (the one producer) to the dispatcher (the one consumer). */
        final SpscArrayQueue<PacketBuffer> txIn = new SpscArrayQueue<>(PEER_HANDOFF);
        /** True while this peer is on {@code readyPeers}; set by the reader (CAS), cleared by the dispatcher. */
        volatile boolean scheduled;

        Tin tin;
        PeerLane lane;
        PeerLane rxLane;
        /** Set by any thread (give-up, zeroing); the dispatcher drops the peer's queued packets. */
        volatile boolean dropRequested;
        /** The tin's statistics outlive a tin replaced by a flush (read by any thread). */
        volatile Tin lastTin;
    }
}
