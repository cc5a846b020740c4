package dev.wgmesh.dataplane.pipeline;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.queue.CryptoBudget;
import dev.wgmesh.dataplane.stats.LogHistogram;
import dev.wgmesh.dataplane.stats.WorkerStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.jctools.queues.MpmcArrayQueue;
import org.jctools.queues.MpscArrayQueue;

/**
 * Parallel mode of the transmit path: batches of packets fanned out to N crypto workers, each peer's order restored
 * before the send stage.
 *
 * <ol>
 *   <li>Dispatcher thread (the scheduler thread): {@link #submit} appends a packet, counter already assigned, to
 *       its peer's open batch; a full batch, or every open batch on {@link #flush}, is placed in the peer's reorder
 *       ring and offered to the shared work queue (JCTools MPMC, batches not packets).
 *   <li>Workers (parallel, N threads): take a batch, apply the {@link CryptoOp} to each packet in place, mark the
 *       batch done, and drain the peer's ring in sequence order into the {@link Sink} (see {@link PeerLane}).
 *       Per-peer order is kept; peers do not wait for each other.
 *   <li>Sent batches return to the dispatcher through an MPSC queue; {@link #reclaim} reports them to the
 *       {@link CryptoBudget} (bytes, and how long each waited for a worker) and reuses them.
 * </ol>
 *
 * <p>A pipeline made with {@code dispatcherHelps} also lets the dispatcher take queued batches itself ({@link
 * #helpOne}), so it does crypto instead of waiting while the workers are behind.
 *
 * <p>Threading contract: {@link #newLane}, {@link #canSubmit}, {@link #submit}, {@link #flush}, {@link #reclaim} and
 * {@link #helpOne} are called by the one dispatcher thread; workers are internal; {@link #workerStats} is read
 * anywhere. Nothing on the path allocates or takes a lock: batches and rings are created up front.
 */
public final class OrderedCryptoPipeline implements AutoCloseable {
    /** How long a helping dispatcher leaves a queued batch to an idle worker before taking it itself. */
    static final long LEAVE_TO_IDLE_WORKER_NANOS = 200_000;
    /**
     * The longest a partly filled batch is held back while the crypto threads have queued work ({@link
     * #flushIfRunningDry}): about two batches of crypto. Without a bound, a sparse peer's or direction's lone packet
     * (a ping's echo reply at a receiver busy decrypting a flood) waited until its batch filled, seconds at 20 pings/s.
     */
    static final long MAX_HOLD_NANOS = 200_000;

    private final CryptoOp[] ops;
    private final Sink sink;
    private final LongSupplier clock;
    private final int batchPackets;
    private final int ringSize;
    private final MpmcArrayQueue<Batch> work;
    private final MpscArrayQueue<Batch> sent;
    private final Batch[] free;
    private int freeCount;
    private PeerLane openHead;
    private final WorkerStats workerStats;
    private final LogHistogram stageLatency = new LogHistogram();
    private final LogHistogram workerWait = new LogHistogram();
    private final Thread[] threads;
    /** The dispatcher's own op when it helps with crypto ({@link #helpOne}), else null. */
    private final CryptoOp helperOp;
    /** The dispatcher while it waits in {@link #awaitReturn}, else null: whoever returns a batch unparks it. */
    private volatile Thread waitingDispatcher;
    /** Returned batches that wake the waiting dispatcher; set by it before it publishes itself. */
    private int wakeAt = 1;

    /** Per worker: true while it is parked (or about to park) for lack of work; the dispatcher wakes one. */
    private final AtomicIntegerArray parked;

    /**
     * Workers between finding the work queue empty and taking their next batch (spinning, yielding or parked): a
     * helping dispatcher leaves a fresh batch to them. Changed on those transitions only, never per packet.
     */
    private final AtomicInteger idleWorkers = new AtomicInteger();

    private volatile boolean running = true;

    /**
     * A pipeline whose dispatcher only dispatches: {@code workers} threads do all the crypto.
     *
     * @param workers number of crypto worker threads
     * @param ops one crypto operation per worker (index → op)
     * @param batchPackets packets per batch
     * @param batches batches in circulation (bounds packets in flight to batches × batchPackets)
     */
    public OrderedCryptoPipeline(
            int workers, IntFunction<CryptoOp> ops, Sink sink, int batchPackets, int batches, LongSupplier clock) {
        this(workers, false, ops, sink, batchPackets, batches, clock);
    }

    /**
     * @param workers number of crypto worker threads (0 allowed when the dispatcher helps: it then does all the
     *     crypto itself)
     * @param dispatcherHelps whether the dispatcher thread takes queued batches itself ({@link #helpOne}); it then
     *     gets op number {@code workers} and the last slot of {@link #workerStats}
     * @param ops one crypto operation per crypto thread (index → op; not shared between threads)
     * @param batchPackets packets per batch
     * @param batches batches in circulation (bounds packets in flight to batches × batchPackets)
     */
    public OrderedCryptoPipeline(
            int workers,
            boolean dispatcherHelps,
            IntFunction<CryptoOp> ops,
            Sink sink,
            int batchPackets,
            int batches,
            LongSupplier clock) {
        if (workers < (dispatcherHelps ? 0 : 1) || batchPackets < 1 || batches < 2) {
            throw new IllegalArgumentException(
                    "need workers >= 1 (>= 0 when the dispatcher helps), batchPackets >= 1, batches >= 2");
        }
        this.sink = sink;
        this.clock = clock;
        this.batchPackets = batchPackets;
        this.ringSize = Integer.highestOneBit(batches - 1) << 1;
        this.work = new MpmcArrayQueue<>(batches);
        this.sent = new MpscArrayQueue<>(batches);
        this.free = new Batch[batches];
        for (int i = 0; i < batches; i++) {
            free[freeCount++] = new Batch(batchPackets);
        }
        this.workerStats = new WorkerStats(workers + (dispatcherHelps ? 1 : 0));
        this.ops = new CryptoOp[workers + (dispatcherHelps ? 1 : 0)];
        this.helperOp = dispatcherHelps ? ops.apply(workers) : null;
        if (dispatcherHelps) {
            this.ops[workers] = helperOp;
        }
        this.threads = new Thread[workers];
        this.parked = new AtomicIntegerArray(workers);
        for (int w = 0; w < workers; w++) {
            this.ops[w] = ops.apply(w);
            int id = w;
            threads[w] = Thread.ofPlatform().name("wg-crypto-" + w).daemon().unstarted(() -> workLoop(id));
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    /** A lane for one peer. Configuration time (allocates its ring). */
    public PeerLane newLane(Object peer) {
        return new PeerLane(peer, this, ringSize);
    }

    /** True when {@link #submit} can take a packet now (a free batch exists for a lane without an open one). */
    public boolean canSubmit() {
        return freeCount > 0;
    }

    /**
     * Appends a packet to its lane's open batch; a full batch is dispatched at once.
     *
     * @param cost the bytes the dispatcher charged to its {@link CryptoBudget} for this packet
     * @throws IllegalStateException if no batch is free ({@link #canSubmit} was false): a caller bug
     */
    public void submit(PeerLane lane, PacketBuffer b, int cost) {
        Batch batch = lane.open;
        if (batch == null) {
            if (freeCount == 0) {
                throw new IllegalStateException("no free batch: check canSubmit() first");
            }
            batch = free[--freeCount];
            free[freeCount] = null;
            batch.lane = lane;
            batch.openedNanos = clock.getAsLong();
            lane.open = batch;
            if (!lane.onOpenList) {
                lane.onOpenList = true;
                lane.nextOpen = openHead;
                openHead = lane;
            }
        }
        batch.packets[batch.count++] = b;
        batch.bytes += cost;
        if (batch.count == batchPackets) {
            dispatch(lane);
        }
    }

    /**
     * Dispatches the partly filled batches when the crypto threads are about to run dry (fewer batches wait in the
     * work queue than there are crypto threads: workers, and the dispatcher when it helps), and otherwise only those
     * held {@link #MAX_HOLD_NANOS}. Call after each scheduling round; at low load the queue is empty and every packet
     * leaves at once, as with {@link #flush}.
     *
     * <p>Why: under load the budget comes back a returned batch at a time, and DRR spreads what it frees over the
     * peers, so flushing every round cut each batch into one slice per peer, the next round's batches were smaller
     * again, and the batches shrank to one or two packets: every packet then paid a batch's hand-offs (queue, wake,
     * in-order drain, return, reclaim). In the in-memory benchmark with 4 peers, 2 crypto threads did one to two
     * packets per batch, and some runs went no faster than one thread. Held back, a partial batch fills over the
     * next rounds while the queued batches keep the crypto threads busy, but never longer than {@link
     * #MAX_HOLD_NANOS}: under a sustained backlog the threads never run dry, and a peer with little traffic would
     * wait for its batch to fill.
     */
    public void flushIfRunningDry() {
        if (openHead != null) {
            dispatchOpen(work.size() < ops.length, clock.getAsLong());
        }
    }

    /** Batches dispatched and not yet taken by a crypto thread (tests). */
    int queuedBatches() {
        return work.size();
    }

    /** Dispatches every partly filled batch now (each scheduling round calls {@link #flushIfRunningDry} instead). */
    public void flush() {
        dispatchOpen(true, 0);
    }

    /**
     * Dispatches the open batches, all of them or those at least {@link #MAX_HOLD_NANOS} old at {@code now}; the
     * others stay on the open list. Lanes whose batch already left full are dropped from the list.
     */
    private void dispatchOpen(boolean all, long now) {
        PeerLane prev = null;
        PeerLane l = openHead;
        while (l != null) {
            PeerLane next = l.nextOpen;
            if (!all && l.open != null && now - l.open.openedNanos < MAX_HOLD_NANOS) {
                prev = l;
            } else {
                if (prev == null) {
                    openHead = next;
                } else {
                    prev.nextOpen = next;
                }
                l.nextOpen = null;
                l.onOpenList = false;
                if (l.open != null) {
                    dispatch(l);
                }
            }
            l = next;
        }
    }

    private void dispatch(PeerLane lane) {
        Batch b = lane.open;
        lane.open = null;
        b.dispatchNanos = clock.getAsLong();
        lane.place(b);
        if (!work.offer(b)) {
            throw new IllegalStateException("work queue full"); // cannot happen: capacity = batch count
        }
        wakeOne();
    }

    /** Unparks one parked worker, if any (a volatile read per worker when none is parked; no syscall). */
    private void wakeOne() {
        for (int w = 0; w < threads.length; w++) {
            if (parked.get(w) != 0 && parked.compareAndSet(w, 1, 0)) {
                LockSupport.unpark(threads[w]);
                return;
            }
        }
    }

    /**
     * Takes back the batches the sink has finished with and reports them to the budget as one completion: bytes
     * summed, the shortest wait (CoDel acts on the minimum, the standing queue) and the longest worker idle time.
     * One report per poll is what DQL expects (Linux calls {@code dql_completed} once per completion interrupt);
     * reporting batch by batch makes every poll look like a short interval and DQL takes that for slack.
     *
     * @return the number of batches reclaimed
     */
    public int reclaim(CryptoBudget budget, long now) {
        int n = 0;
        long bytes = 0;
        long minWait = Long.MAX_VALUE;
        long maxIdle = 0;
        Batch b;
        while ((b = sent.relaxedPoll()) != null) {
            long wait = b.startNanos - b.dispatchNanos;
            bytes += b.bytes;
            minWait = Math.min(minWait, wait);
            maxIdle = Math.max(maxIdle, b.workerIdleNanos);
            workerWait.record(wait);
            stageLatency.record(now - b.dispatchNanos);
            b.reset();
            free[freeCount++] = b;
            n++;
        }
        if (n > 0) {
            budget.onCompleted(bytes, minWait, maxIdle, now);
        }
        return n;
    }

    /**
     * Called by a lane's current holder with messages opened outside the pipeline ({@link PeerLane#post}); the sink
     * owns them from here. Not a batch: nothing was dispatched or charged to the budget for them.
     */
    void deliverPosted(PeerLane lane, PacketBuffer[] packets, int count) {
        try {
            sink.send(lane.peer, packets, count);
        } finally {
            Arrays.fill(packets, 0, count, null);
        }
    }

    /** Called by a lane's current sender with the next in-order batch. */
    void deliver(PeerLane lane, Batch b) {
        if (b.count > 0) {
            sink.send(lane.peer, b.packets, b.count);
        }
        for (int i = 0; i < b.count; i++) {
            b.packets[i] = null; // the sink owns them now
        }
        b.count = 0;
        if (!sent.offer(b)) {
            throw new IllegalStateException("return queue full"); // cannot happen: capacity = batch count
        }
        Thread d = waitingDispatcher;
        if (d != null && sent.size() >= wakeAt) {
            waitingDispatcher = null; // one unpark per wait; racing senders may both unpark, which is harmless
            LockSupport.unpark(d);
        }
    }

    /**
     * Parks the calling dispatcher until half the batches in flight have come back (at least one; their budget is
     * then free again), it is unparked for another reason (new packets), or {@code maxNanos} pass. Returns at once if
     * that many are already back. Waiting for half, not one: the remaining half keeps the workers busy meanwhile, and
     * the budget hears of several completions at once (DQL shrank its limit to 16 packets, starving a single worker
     * 12% of the time, when woken for every batch).
     *
     * <p>Why: while the budget or the batches are used up there is nothing to do until a worker finishes, often
     * 100 µs or more (32 packets of crypto). Spinning or short timed sleeps took a quarter of a core from the workers
     * on a 2-core machine; a completion now wakes the dispatcher instead (at most one unpark per wait).
     */
    public void awaitReturn(long maxNanos) {
        // Partial batches held back by flushIfRunningDry leave first: a waiting dispatcher adds nothing to them, and
        // counted in flight but never dispatched they could keep half the batches from ever coming back.
        flush();
        wakeAt = Math.max(1, batchesInFlight() / 2);
        waitingDispatcher = Thread.currentThread(); // volatile write: publishes wakeAt to the senders
        if (sent.size() < wakeAt && running && (helperOp == null || work.isEmpty())) {
            LockSupport.parkNanos(maxNanos);
        }
        waitingDispatcher = null;
    }

    private void workLoop(int w) {
        CryptoOp op = ops[w];
        int idle = 0;
        long idleSince = 0;
        while (running) {
            Batch b = work.relaxedPoll();
            if (b == null) {
                if (idle == 0) {
                    idleSince = clock.getAsLong();
                    idleWorkers.incrementAndGet();
                }
                idle = idleStep(w, idle);
                continue;
            }
            if (idle > 0) {
                idleWorkers.decrementAndGet();
            }
            long start = clock.getAsLong();
            long idleNanos = idle == 0 ? 0 : Math.max(1, start - idleSince);
            idle = 0;
            process(w, op, b, start, idleNanos);
        }
    }

    /**
     * Dispatcher thread, when this pipeline was made with {@code dispatcherHelps}: takes one queued batch, if any,
     * and does its crypto and (if it is next in its peer's order) its sending, as a worker would.
     *
     * <p>Why: a dispatcher that only dispatches sits idle, or parks, while its workers are behind, and on a machine
     * with no core to spare for it every packet still pays its share of the scheduling on some other core. Helping
     * turns the dispatcher into one more crypto thread whenever there is a backlog (the way the Linux qdisc lock's
     * holder dequeues for everyone), so N threads give N threads of crypto: with one worker thread and a helping
     * dispatcher on 2 cores, both cores do crypto. A helped batch delays the next dispatch by at most one batch of
     * crypto (32 packets, tens of µs), while the budget keeps the workers supplied.
     *
     * <p>A fresh batch is left to an idle worker (one that found no work and is spinning, yielding or parked): taken
     * at once, the batch just dispatched to wake a parked worker is gone when it wakes, the worker parks again, and
     * with a small budget the dispatcher can end up doing all the crypto alone (the test of this shows it; whether
     * that caused the 1.0x pairs the in-memory benchmark sometimes shows is not established). A batch older than
     * {@link #LEAVE_TO_IDLE_WORKER_NANOS} is taken anyway: that worker is not getting a CPU.
     *
     * @return true if it did a batch; false if none was queued or the dispatcher does not help
     */
    public boolean helpOne() {
        if (helperOp == null) {
            return false;
        }
        Batch head = work.relaxedPeek();
        if (head == null) {
            return false;
        }
        long now = clock.getAsLong();
        if (idleWorkers.get() > 0 && now - head.dispatchNanos < LEAVE_TO_IDLE_WORKER_NANOS) {
            return false; // an idle worker is about to take it
        }
        Batch b = work.relaxedPoll();
        if (b == null) {
            return false;
        }
        process(threads.length, helperOp, b, now, 0);
        return true;
    }

    /** One batch's crypto, then its lane's in-order sending; {@code w} is the crypto thread's stats slot. */
    private void process(int w, CryptoOp op, Batch b, long start, long idleNanos) {
        b.workerIdleNanos = idleNanos;
        b.startNanos = start;
        int kept = 0;
        int failures = 0;
        int total = b.count;
        for (int i = 0; i < total; i++) {
            PacketBuffer p = b.packets[i];
            int len;
            try {
                len = op.apply(p);
            } catch (RuntimeException e) {
                // A faulty op must not wedge the peer's lane (its batch would never be done): drop and count.
                len = -1;
            }
            if (len < 0) {
                p.release();
                failures++;
            } else {
                p.length = len;
                b.packets[kept++] = p;
            }
        }
        for (int i = kept; i < total; i++) {
            b.packets[i] = null;
        }
        b.count = kept;
        workerStats.recordBatch(w, clock.getAsLong() - start, total, failures);
        // Read the lane first: once done is set, another worker may send, return and the dispatcher reuse b.
        PeerLane lane = b.lane;
        b.done = true;
        lane.drain();
    }

    /**
     * Spin briefly, then yield, then park until the dispatcher hands out work (or 1 ms passes): low hand-off latency
     * without burning an idle core. The parked flag is set before the queue is checked a last time, so a batch
     * offered in between either is seen here or finds the flag and unparks us.
     */
    private int idleStep(int w, int idle) {
        if (idle < 100) {
            Thread.onSpinWait();
        } else if (idle < 120) {
            Thread.yield();
        } else {
            parked.set(w, 1);
            if (work.isEmpty() && running) {
                LockSupport.parkNanos(1_000_000);
            }
            parked.set(w, 0);
        }
        return idle + 1;
    }

    public WorkerStats workerStats() {
        return workerStats;
    }

    /** Per batch: dispatch until it came back from the sink (the latency the crypto budget controls). */
    public LogHistogram stageLatency() {
        return stageLatency;
    }

    /** Per batch: dispatch until a worker started on it (the signal {@code CodelWaitBudget} acts on). */
    public LogHistogram workerWait() {
        return workerWait;
    }

    /** Worker thread ids (for per-thread measurements in tests and benchmarks). */
    public long[] workerThreadIds() {
        long[] ids = new long[threads.length];
        for (int i = 0; i < threads.length; i++) {
            ids[i] = threads[i].threadId();
        }
        return ids;
    }

    /** Batches neither free nor yet reclaimed: in a queue, at a worker, waiting in a ring or at the sink. */
    public int batchesInFlight() {
        return free.length - freeCount;
    }

    /**
     * Stops the workers and releases packets not yet sent. Dispatcher thread; the pipeline is unusable afterwards.
     */
    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        List<Thread> alive = new ArrayList<>(List.of(threads));
        for (Thread t : alive) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Batch b;
        while ((b = work.poll()) != null) {
            for (int i = 0; i < b.count; i++) {
                b.packets[i].release();
            }
            b.reset();
        }
        PeerLane l = openHead;
        while (l != null) {
            if (l.open != null) {
                for (int i = 0; i < l.open.count; i++) {
                    l.open.packets[i].release();
                }
                l.open.reset();
                l.open = null;
            }
            l = l.nextOpen;
        }
    }
}
