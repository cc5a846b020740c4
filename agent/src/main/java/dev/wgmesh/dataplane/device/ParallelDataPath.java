package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.pipeline.CryptoDispatcher;
import dev.wgmesh.dataplane.pipeline.CryptoOp;
import dev.wgmesh.dataplane.pipeline.DispatcherIdle;
import dev.wgmesh.dataplane.pipeline.OrderedCryptoPipeline;
import dev.wgmesh.dataplane.pipeline.PeerLane;
import dev.wgmesh.dataplane.queue.CarriedCounter;
import dev.wgmesh.dataplane.queue.CryptoBudget;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.queue.FqCodel;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import dev.wgmesh.dataplane.queue.TimeCappedBudget;
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
 * The fair multi-core data path ({@link DataPathMode#PARALLEL}; in {@link DataPathMode#HYBRID} only busy peers'
 * transmit traffic comes here, see {@link HybridChooser}, while all received transport data does).
 *
 * <pre>
 *  TUN reader ─(route, classify)─▶ per-peer txIn ─┐                   ┌─▶ tx sink: send UDP, timer hooks
 *                                                 ▼                   │
 *          dispatcher: PeerScheduler (FQ-CoDel per peer, DRR across   │
 *          peers, counter at dequeue) under the crypto budget ──────▶ ├── OrderedCryptoPipeline: N workers,
 *                                                                     │   batches, per-peer order restored
 *  UDP receiver ─(index, keypair)─▶ rxIn ─▶ receive tins (same        │
 *                                          scheduler, flows by size) ▶ │
 *                                                                     └─▶ rx sink: replay filter, timers, TUN
 * </pre>
 *
 * <ol>
 *   <li>TUN reader ({@link SendPath}) and UDP receiver ({@link ReceivePath}): read, do the cheap lookups, hand the
 *       buffer over ({@link #offerTx}, {@link #offerRx}: never block; a full hand-off queue drops and counts).
 *   <li>Dispatcher (one thread, owns the scheduler, the budget and the pipeline's dispatch side): moves transmit
 *       packets into their peer's FQ-CoDel tin (drop from the fattest flow on overflow, never requeue); a tin whose
 *       peer has no usable keypair is parked with its packets (the staging queue) and a handshake starts; DRR
 *       dequeues with counters while the budget allows. Received packets are queued the same way, in a receive
 *       tin per peer ({@link #enqueueRx}): the dispatcher drains the receiver's hand-off completely every round, so
 *       a flood from the wire builds its queue here, under CoDel and DRR, and never in the UDP socket's receive
 *       buffer (a multi-megabyte FIFO in front of everything that peer sends, sparse flows included).
 *   <li>Workers (parallel; N - 1 threads, and the dispatcher itself takes a batch each round while batches wait, see
 *       {@link OrderedCryptoPipeline#helpOne}, so N crypto threads for N cores): seal or open in place ({@link
 *       TransportCryptoOp}); each peer's lane then hands its batches,
 *       in order, to {@link TransportSink} — for receive, the replay filter sees counters in the order they left the
 *       receive tin (small messages may have overtaken large ones, well inside its window) and runs serialised per
 *       peer, which is the contract of {@code ReplayFilter}.
 *   <li>Crypto budget: DQL (10 ms slack hold) capped at about 1 ms of measured crypto work ({@link
 *       TimeCappedBudget}), shared by both directions, so the standing queue stays in the tins.
 * </ol>
 *
 * <p>Express path (default on, {@link Device#EXPRESS_ENV}): within a budget ({@link ExpressBudget}) a small packet
 * ({@link #SMALL_INNER}, {@link #RX_SMALL_WIRE}) skips steps 2-3. The TUN reader seals and sends it itself, as
 * inline mode does, when its peer has a session and its flow is sparse; the UDP receiver, which cannot see inner
 * flows, opens it itself and delivers it in the peer's receive lane, or leaves it opened to the worker delivering
 * there ({@link #rxLane}). Why: on a machine whose cores are all busy, the dispatcher is the thread with most work,
 * and every packet through it waited for it to get a core and reach the packet: a ping under a flood took 20-150 ms
 * through four such waits. Small packets are what the waits hurt (pings, acknowledgements, queries) and cost a
 * fraction of a microsecond of crypto. The price: an express packet overtakes its peer's packets queued or at crypto,
 * which the sparse-flow priority of FQ-CoDel lets it do anyway once dequeued.
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

    /**
     * Small packets (pings, TCP ACKs, DNS queries: at most {@link #SMALL_INNER} bytes of IP packet, or {@link
     * #RX_SMALL_WIRE} on the wire) that find their hand-off full take a small reserve hand-off instead of being
     * dropped; the dispatcher drains the reserve first. Why: while a flood keeps the main hand-off full, every packet
     * that meets it full is lost, the sparse flow's too, before FQ-CoDel can serve it first. The price: such a small
     * packet overtakes the large ones waiting in the full hand-off (as on the receive side, {@link #RX_SMALL_WIRE}).
     */
    static final int SMALL_INNER = 160;

    /** A peer's transmit reserve; the receive reserve, shared by all peers like its hand-off, is four times this. */
    static final int SMALL_HANDOFF = 64;

    private static final int DRAIN_QUANTUM = 64;
    private static final int DRAIN_MAX = 2048;
    /**
     * Receive hand-off: drained completely into the receive tins every dispatcher round, so it only fills while the
     * dispatcher is off the CPU; overflow drops here (counted). Sized like the transmit hand-offs together.
     */
    static final int RX_HANDOFF = 2048;

    /**
     * Receive-side flow classes by wire size. Inner flows are invisible before decryption, but WireGuard pads only
     * to 16 bytes, so the size survives: pings, TCP ACKs, DNS queries and game or voice packets are small, bulk
     * data and floods are large. A peer's received packets are queued in two flows, small (at most this many bytes
     * on the wire, 160 inner) and the rest, so FQ-CoDel's sparse-flow priority serves small ones first while a
     * backlog of large ones waits. The price: under such a backlog, a small packet may overtake earlier large ones
     * of the same inner flow (e.g. the short tail segment of a TCP write); without a backlog order is kept. The
     * replay window (8,128 counters) is far wider than the queue, so overtaking never costs a packet.
     */
    static final int RX_SMALL_WIRE = 192;

    private static final int BATCH_PACKETS = 32;
    private static final int BATCHES = 64;
    private static final long HOUSEKEEPING_NANOS = 50_000_000L;

    private final Device device;
    private final FlowClassifier classifier = FlowClassifier.withRandomSeed();
    /** Peers whose hand-off queue has packets, each at most once (its {@code scheduled} flag). */
    private final MpscArrayQueue<Peer> readyPeers = new MpscArrayQueue<>(1 << 16);

    private final MpscArrayQueue<PacketBuffer> rxIn = new MpscArrayQueue<>(RX_HANDOFF);
    /** Small received messages ({@link #RX_SMALL_WIRE} bytes at most) that found {@link #rxIn} full. */
    private final MpscArrayQueue<PacketBuffer> rxSmall = new MpscArrayQueue<>(4 * SMALL_HANDOFF);

    /**
     * Peers whose keepalive the dispatcher is to send ({@link #requestKeepalive}). Why not send it where it is asked
     * for: a keepalive takes the next counter, and sealed and sent at once by the asking thread (timer, handshake
     * worker) it overtook this peer's data already given counters and waiting at crypto.
     */
    private final MpscArrayQueue<Peer> keepalives = new MpscArrayQueue<>(1024);

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
    /** Time from a reader's hand-off to the dispatcher taking the packet (recorded by the dispatcher). */
    private final LogHistogram txHandoff = new LogHistogram();

    private final LogHistogram rxHandoff = new LogHistogram();
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
        int packet = FqCodel.Config.DEFAULT_MTU + FqCodel.Config.WIREGUARD_OVERHEAD;
        // DQL from a batch per crypto thread, capped at about 1 ms of measured crypto work (see
        // TimeCappedBudget for why DQL alone is not enough).
        this.budget = TimeCappedBudget.forParallelPath(workers, BATCH_PACKETS, packet);
        this.workers = workers;
    }

    /** Starts the crypto workers; the caller then runs {@link #run} on the dispatcher thread. */
    void start() {
        UnaryOperator<CryptoOp> d = decorator;
        TransportSink sink = new TransportSink(device);
        // workers - 1 threads and this dispatcher, which helps with queued batches: one crypto thread per core.
        OrderedCryptoPipeline p = new OrderedCryptoPipeline(
                workers - 1,
                true,
                w -> d.apply(new TransportCryptoOp(device)),
                sink,
                BATCH_PACKETS,
                BATCHES,
                System::nanoTime);
        dispatcher = new CryptoDispatcher(scheduler, budget, p, System::nanoTime, ParallelDataPath::laneOf);
        pipeline = p;
    }

    void setDecorator(UnaryOperator<CryptoOp> d) {
        decorator = d;
    }

    // ---- producers (TUN reader, UDP receiver) ----

    /** TUN reader: a routed plaintext packet for {@code peer}; ownership passes here. Never blocks. */
    void offerTx(Peer peer, PacketBuffer b) {
        b.flowHash = classifier.hash(b.data, b.offset, b.length);
        b.enqueueNanos = System.nanoTime(); // hand-off wait; FQ-CoDel restamps at enqueue
        PeerSendState s = peer.sendState;
        if (!s.txIn.offer(b) && !(b.length <= SMALL_INNER && s.txSmall.offer(b))) {
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
        b.enqueueNanos = System.nanoTime();
        if (!rxIn.offer(b) && !(b.length <= RX_SMALL_WIRE && rxSmall.offer(b))) {
            b.release();
            device.counters().drop(DropReason.QUEUE_OVERFLOW);
            return;
        }
        wake();
    }

    /**
     * UDP receiver, express path: {@code peer}'s receive lane, or null before the dispatcher made it (on the peer's
     * first received message). The caller opens a small message itself and delivers it inside the lane ({@link
     * PeerLane#tryEnter}) — replay filter and receive hooks included, which the lane serialises with the workers'
     * deliveries — or, when a worker is delivering for the peer, posts it opened for that worker to deliver ({@link
     * PeerLane#post}). An express message overtakes the peer's messages still queued or at crypto, as small ones
     * already do in the receive tin ({@link #RX_SMALL_WIRE}): well inside the replay window.
     */
    PeerLane rxLane(Peer peer) {
        return peer.sendState.rxLane;
    }

    /**
     * Any thread: {@code peer}'s keepalive goes through its tin and the pipeline like its data, so it leaves after
     * every packet already given a counter. Skipped when the peer's data is queued, as wireguard-go skips it when
     * packets are staged: that data confirms the session and carries the acknowledgement. False when the request
     * queue is full (the caller then sends the keepalive itself).
     */
    boolean requestKeepalive(Peer peer) {
        if (!keepalives.offer(peer)) {
            return false;
        }
        nudge();
        return true;
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
                int work = drainTx() + drainRx() + queueKeepalives();
                work += dispatcher.pump();
                if (pipeline.helpOne()) {
                    work++;
                }
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
                releaseAll(p.sendState.txSmall);
            }
            releaseAll(rxIn);
            releaseAll(rxSmall);
        }
    }

    private int drainTx() {
        int n = 0;
        Peer peer;
        while (n < DRAIN_MAX && (peer = readyPeers.relaxedPoll()) != null) {
            PeerSendState s = peer.sendState;
            PacketBuffer b;
            int k = 0;
            while ((b = s.txSmall.relaxedPoll()) != null) {
                k++;
                enqueue(peer, b);
            }
            while (k < DRAIN_QUANTUM && (b = s.txIn.relaxedPoll()) != null) {
                k++;
                enqueue(peer, b);
            }
            n += k;
            if (s.hasHandoff()) {
                readyPeers.offer(peer); // still scheduled: back of the round
            } else {
                s.scheduled = false;
                if (s.hasHandoff() && SCHEDULED.compareAndSet(s, false, true)) {
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
            track(peer);
        }
        txHandoff.record(System.nanoTime() - b.enqueueNanos);
        scheduler.enqueue(s.tin, b);
        if (s.tin.isParked() || !peer.counterSource().ready()) {
            peer.sendHandshakeInitiation(false); // rate limited by the timers (§6.2)
        }
    }

    /** After {@link #drainTx}: the keepalives asked for, into their tins unless data is queued there. */
    private int queueKeepalives() {
        int n = 0;
        Peer peer;
        while ((peer = keepalives.relaxedPoll()) != null) {
            n++;
            PeerSendState s = peer.sendState;
            if (s.tin != null && s.tin.packets() > 0 || s.hasHandoff()) {
                continue;
            }
            PacketBuffer b = device.pool().acquire(); // empty, at the headroom
            if (b == null) {
                device.counters().drop(DropReason.NO_BUFFER);
                continue;
            }
            b.enqueueNanos = System.nanoTime();
            enqueue(peer, b);
        }
        return n;
    }

    /** Moves everything the UDP receiver handed over into the receive tins; never held back by the budget. */
    private int drainRx() {
        int n = 0;
        PacketBuffer b;
        while ((b = rxSmall.relaxedPoll()) != null) {
            n++;
            enqueueRx(b);
        }
        while (n < DRAIN_MAX && (b = rxIn.relaxedPoll()) != null) {
            n++;
            enqueueRx(b);
        }
        return n;
    }

    /**
     * A received transport message joins its peer's receive tin, in the flow of its size class; it keeps its
     * {@code IndexEntry} as owner (the tin has none), which {@link #laneOf} and the crypto op read. CoDel drops
     * here but never marks: a transport message starts with type byte 4, which {@code Ecn} does not take for an IP
     * header, and its inner header is ciphertext anyway.
     */
    private void enqueueRx(PacketBuffer b) {
        Peer peer = ((IndexEntry) b.owner).peer();
        if (peer.isDestroyed()) {
            b.release();
            return;
        }
        PeerSendState s = peer.sendState;
        if (s.rxTin == null) {
            s.rxLane = s.rxLane == null ? pipeline.newLane(peer) : s.rxLane;
            s.rxTin = scheduler.addPeer(null, CarriedCounter.INSTANCE);
            s.lastRxTin = s.rxTin;
            track(peer);
        }
        rxHandoff.record(System.nanoTime() - b.enqueueNanos);
        b.flowHash = rxFlowHash(b.data, b.length);
        scheduler.enqueue(s.rxTin, b);
    }

    /** Receiver index (which keypair) and wire-size class: the receive side's flow key. */
    static int rxFlowHash(byte[] data, int wireLength) {
        int cls = wireLength <= RX_SMALL_WIRE ? 0 : 1;
        int h = TransportMessage.receiver(data, 0) * 0x9E3779B1 + cls;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }

    private static PeerLane laneOf(PacketBuffer b) {
        return b.owner instanceof IndexEntry e ? e.peer().sendState.rxLane : (PeerLane) b.owner;
    }

    private void track(Peer peer) {
        if (!withTin.contains(peer)) {
            withTin.add(peer);
        }
    }

    /**
     * Drops a peer's queued packets (handshake gave up, keys zeroed, peer removed): fresh tins replace the old ones.
     * Received packets queued under zeroed keys could not be opened any more; they are counted as expired.
     */
    private void flushTin(Peer peer) {
        PeerSendState s = peer.sendState;
        s.dropRequested = false;
        if (s.tin != null) {
            int queued = s.tin.packets();
            scheduler.removePeer(s.tin);
            s.tin = null;
            device.counters().drop(DropReason.STAGED_OVERFLOW, queued);
        }
        if (s.rxTin != null) {
            int queued = s.rxTin.packets();
            scheduler.removePeer(s.rxTin);
            s.rxTin = null;
            device.counters().drop(DropReason.KEY_EXPIRED, queued);
        }
        withTin.remove(peer);
    }

    private void housekeeping() {
        for (int i = withTin.size() - 1; i >= 0; i--) {
            Peer p = withTin.get(i);
            if (p.sendState.dropRequested || p.isDestroyed()) {
                flushTin(p);
            }
        }
    }

    /** Spin, yield, then park ({@link DispatcherIdle}); the flag lets producers unpark the thread. */
    private int idle(int idle) {
        if (!DispatcherIdle.spinOrYield(idle)) {
            parked = true;
            if (readyPeers.isEmpty() && rxIn.isEmpty()) {
                DispatcherIdle.park(pipeline);
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

    /** See {@link Device#stageLatencies}; empty before the device started. */
    java.util.Map<String, LogHistogram> stageLatencies() {
        OrderedCryptoPipeline p = pipeline;
        if (p == null) {
            return java.util.Map.of();
        }
        java.util.Map<String, LogHistogram> m = new java.util.LinkedHashMap<>();
        m.put("tx_handoff", txHandoff);
        m.put("rx_handoff", rxHandoff);
        m.put("worker_wait", p.workerWait());
        m.put("crypto", p.stageLatency());
        return m;
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

    /**
     * Per-peer state of the parallel path; fields other than {@link #dropRequested} and {@link #hybrid} (the TUN
     * reader's) are dispatcher-thread only.
     */
    static final class PeerSendState {
        /** {@link DataPathMode#HYBRID}: the TUN reader's load measurement for this peer. */
        final HybridChooser.State hybrid = new HybridChooser.State();

        /** Plaintext from the TUN reader (the one producer) to the dispatcher (the one consumer). */
        final SpscArrayQueue<PacketBuffer> txIn = new SpscArrayQueue<>(PEER_HANDOFF);
        /** Small packets that found {@link #txIn} full ({@link #SMALL_INNER}); same producer and consumer. */
        final SpscArrayQueue<PacketBuffer> txSmall = new SpscArrayQueue<>(SMALL_HANDOFF);
        /** True while this peer is on {@code readyPeers}; set by the reader (CAS), cleared by the dispatcher. */
        volatile boolean scheduled;

        Tin tin;
        PeerLane lane;
        /** The peer's received packets, before decryption (owner null: packets keep their IndexEntry). */
        Tin rxTin;

        /** Made by the dispatcher on the peer's first received message; read by receivers ({@link #enterRx}). */
        volatile PeerLane rxLane;
        /** Set by any thread (give-up, zeroing); the dispatcher drops the peer's queued packets. */
        volatile boolean dropRequested;
        /** The tin's statistics outlive a tin replaced by a flush (read by any thread). */
        volatile Tin lastTin;

        volatile Tin lastRxTin;

        /** True while either hand-off holds a packet. */
        boolean hasHandoff() {
            return !txIn.isEmpty() || !txSmall.isEmpty();
        }
    }
}
