package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.io.ThreadPriority;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Real-time priority for an inline I/O thread that sleeps between packets, ordinary priority once it is busy: one
 * per thread, owned by it.
 *
 * <p>Why: a ping's round trip under load crosses threads that mostly sleep — the receiver of the direction without
 * the load, woken for the reply. Traced under a flood on 2 cores ({@code bench/fairdiag.sh}, {@code TRACE=1}), such a
 * wake-up waited for a CPU up to 8–14 ms (p90 about 4 ms): the kernel (EEVDF, a 4 ms tick) let the busy thread on
 * that CPU, ours or a load generator's, run out its time first. With those threads at {@code SCHED_FIFO} the same
 * hops took 0.3 ms at p99.
 *
 * <p>A busy thread must not keep that priority, or it would starve everything else on its CPU. So the thread is
 * raised after it really slept (a wait of at least {@link #SLEPT_NANOS}) and lowered once it has served {@link
 * #BUSY_PACKETS} packets without sleeping that long again: a sparse flow's packets (pings, DNS, a quiet link's
 * keepalives) are handled at once, and a raised thread can hold a CPU for at most two rounds of work per 10 ms it
 * slept. Known gap: a bulk sender that stalls for 10 ms or more now and then (its application starved of CPU) is
 * raised again after each stall; during a one-stream TCP test A's TUN reader was at {@code SCHED_FIFO} in half the
 * samples, and TCP throughput measured about 10% lower with the boost than without (close to the test machine's
 * noise). {@code WGMESH_WAKE_PRIORITY=off} turns it off.
 *
 * <p>A busy thread at ordinary priority can still be kept off its CPU for a whole tick (4 ms here) or more by the
 * other busy threads there, with a sparse flow's packet waiting in its queues. So a {@link StallGuard} watches busy
 * threads and lends one that has made no progress for its period the raised priority for {@link #LENT_ROUNDS} rounds
 * ({@link #lend}); the thread gives it back itself once it has served them ({@link #worked}).
 *
 * <p>Cost: no system call per packet; one when a sleeping thread turns busy and one when a busy thread has slept;
 * two per loan. Per round, one volatile write ({@link #progress}) and one volatile read.
 */
final class WakeBoost {
    /** Packets served (taken from its queues and processed) after a real sleep that make a thread busy: two rounds. */
    static final int BUSY_PACKETS = 2 * InlineQueues.ROUND_PACKETS;
    /** A wait at least this long was a real sleep, not a pause between packets of a busy flow or its ACKs. */
    static final long SLEPT_NANOS = 10_000_000L;

    /** Rounds a stalled thread keeps the priority a {@link StallGuard} lent it: the round in progress and one more. */
    static final int LENT_ROUNDS = 2;

    private final ThreadPriority priority;
    private final LongSupplier clock;
    /** Raised after a sleep (owner thread writes; the guard reads). */
    private volatile boolean raised;

    /** The platform refused to raise (owner thread writes once; the guard reads). */
    private volatile boolean refused;

    private int sinceSleep;
    private long waitStart;
    /** The owner's thread id for a guard's {@link ThreadPriority#raise(int)}; 0 until {@link #start}. */
    private volatile int thread;
    /** The owner is in its wait for packets (it may return at once): for the guard's {@link #busy}. */
    private volatile boolean waiting;
    /** Rounds served so far: a guard that sees it unchanged over its period knows the thread made no progress. */
    private volatile long progress;
    /** Rounds left of a guard's loan; the owner lowers itself when it ends (unless raised after a sleep). */
    private final AtomicInteger lent = new AtomicInteger();
    /** The guard's copy of {@link #progress} at its last look, and whether it had moved (guard thread only). */
    private long seenByGuard = -1;

    private boolean lastLookMoved;

    WakeBoost(ThreadPriority priority, boolean enabled, LongSupplier clock) {
        this.priority = priority;
        this.clock = clock;
        this.refused = !enabled;
    }

    /** The thread starts idle: raised before its first wait. */
    void start() {
        thread = priority.self();
        raise();
    }

    /** The thread is about to wait for packets (it may not sleep if some are ready). */
    void beforeWait() {
        waiting = true;
        waitStart = clock.getAsLong();
    }

    /** The wait ended: if it was a real sleep, the thread counts as idle again and is raised. */
    void afterWait() {
        waiting = false;
        if (clock.getAsLong() - waitStart >= SLEPT_NANOS) {
            sinceSleep = 0;
            raise();
        }
    }

    /** The thread served {@code packets} more; past {@link #BUSY_PACKETS} since it last slept it is lowered. */
    void worked(int packets) {
        progress++;
        sinceSleep += packets;
        if (raised && sinceSleep >= BUSY_PACKETS) {
            raised = false;
            if (lent.get() == 0) {
                priority.lower();
            }
        }
        if (lent.get() > 0 && lent.decrementAndGet() == 0 && !raised) {
            priority.lower();
        }
    }

    /**
     * Guard thread: whether the owner served no round since the guard's last look and holds no raised priority —
     * kept off its CPU with work queued, or asleep waiting for packets (then a loan only raises it as {@link
     * #afterWait} would on its next long sleep). Updates the guard's look; see {@link #busy} for the other half.
     */
    boolean stalled() {
        long p = progress;
        boolean moved = p != seenByGuard;
        seenByGuard = p;
        lastLookMoved = moved;
        return !moved && !refused && thread != 0 && !raised && lent.get() == 0;
    }

    /**
     * Guard thread: raises the owner for {@link #LENT_ROUNDS} rounds. Raised first, then the rounds are set, so the
     * owner cannot lower itself before the loan is recorded and leave itself raised with nothing to lower it.
     *
     * @return whether the platform raised it
     */
    boolean lend() {
        if (!priority.raise(thread)) {
            return false;
        }
        lent.set(LENT_ROUNDS);
        return true;
    }

    /**
     * Guard thread, after {@link #stalled}: whether the owner is busy — it served a round since the previous look,
     * or is not waiting for packets now — so the guard looks again soon. Not {@code waiting} alone: a busy reader
     * passes through its wait (which returns at once) every round and may be sampled there.
     */
    boolean busy() {
        return lastLookMoved || (!waiting && thread != 0);
    }

    /** Whether the thread holds the raised priority now (tests, diagnostics). */
    boolean raised() {
        return raised;
    }

    private void raise() {
        if (!raised && !refused) {
            raised = priority.raise();
            refused = !raised; // not permitted, or no such priority: never asked again
        }
    }
}
