package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.io.ThreadPriority;
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
 * <p>Cost: no system call per packet; one when a sleeping thread turns busy and one when a busy thread has slept.
 */
final class WakeBoost {
    /** Packets served (taken from its queues and processed) after a real sleep that make a thread busy: two rounds. */
    static final int BUSY_PACKETS = 2 * InlineQueues.ROUND_PACKETS;
    /** A wait at least this long was a real sleep, not a pause between packets of a busy flow or its ACKs. */
    static final long SLEPT_NANOS = 10_000_000L;

    private final ThreadPriority priority;
    private final LongSupplier clock;
    private boolean raised;
    private boolean refused;
    private int sinceSleep;
    private long waitStart;

    WakeBoost(ThreadPriority priority, boolean enabled, LongSupplier clock) {
        this.priority = priority;
        this.clock = clock;
        this.refused = !enabled;
    }

    /** The thread starts idle: raised before its first wait. */
    void start() {
        raise();
    }

    /** The thread is about to wait for packets (it may not sleep if some are ready). */
    void beforeWait() {
        waitStart = clock.getAsLong();
    }

    /** The wait ended: if it was a real sleep, the thread counts as idle again and is raised. */
    void afterWait() {
        if (clock.getAsLong() - waitStart >= SLEPT_NANOS) {
            sinceSleep = 0;
            raise();
        }
    }

    /** The thread served {@code packets} more; past {@link #BUSY_PACKETS} since it last slept it is lowered. */
    void worked(int packets) {
        sinceSleep += packets;
        if (raised && sinceSleep >= BUSY_PACKETS) {
            priority.lower();
            raised = false;
        }
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
