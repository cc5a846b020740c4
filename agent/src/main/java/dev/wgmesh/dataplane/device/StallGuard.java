package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.io.ThreadPriority;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Lends real-time priority to a busy inline I/O thread that the kernel keeps off its CPU: one thread per device,
 * itself at real-time priority, looking every {@link #BUSY_PERIOD_NANOS} at the device's {@link WakeBoost}s.
 *
 * <p>Why: under a flood on 2 cores the busy reader of the loaded direction shares its CPU with the load generators
 * and the kernel's packet processing. At ordinary priority the kernel (a 4 ms tick, no preemption in the kernel)
 * took it off its CPU for one or more whole ticks at a time, and a ping already in its queues, to be served first in
 * the next round, waited that long: traced ({@code bench/fairdiag.sh}, {@code TRACE=1}), 6–12 ms at p99 on each busy
 * hop. Raising busy threads for good would starve the rest of the machine (and the kernel throttles real-time threads
 * that never sleep). A loan is short: a thread that served no round for one period is raised until it has served
 * {@link WakeBoost#LENT_ROUNDS} more (about 0.1–0.3 ms of work), so a stall ends within about a period, and a stalled
 * thread holds the priority for a small share of its time.
 *
 * <p>Measured on 2 cores with the load generators beside the tunnel ({@code bench/fairpath.sh}, {@code
 * bench/fairdiag.sh}): under a UDP flood the ping's busy hops fell from 6-12 ms to about 2 ms at p99, the round trip's
 * p99 to about 3 ms, and the flood's peers kept their fair shares. But the loans take CPU from the applications on the
 * same cores: one-stream TCP with iperf3 on both ends ran 12-14% slower once warm (2.1-2.2 against 2.4-2.5 Gb/s), and
 * at about half speed (0.8-1.3 Gb/s) in its first seconds, when lent threads still run uncompiled code and starve the
 * JIT compiler's threads. Loans of 16 or 64 rounds, or at most one every 2 or 5 ms, were worse or no better. Holding
 * loans back while the JIT works fixed the start but broke the fairness across peers while one daemon's threads were
 * lent and another's not (Jain's index 0.56 and 0.86 in two of three runs). That is why the guard is off unless
 * {@code WGMESH_STALL_GUARD=on} ({@link Device#STALL_GUARD_ENV}).
 *
 * <p>When no thread has been busy for {@link #QUIET_LOOKS} looks it looks every {@link #IDLE_PERIOD_NANOS} only: a
 * thread that wakes after a real sleep is raised by its own {@link WakeBoost} for its first rounds anyway.
 *
 * <p>Threading: {@link #watch} from any thread; {@link #run} on the guard's own thread until the device stops.
 */
final class StallGuard implements Runnable {
    /** How long a busy thread may go without serving a round before it is lent the priority. */
    static final long BUSY_PERIOD_NANOS = 500_000L;
    /** How often to look once every thread has waited for packets, with nothing served, for {@link #QUIET_LOOKS}. */
    static final long IDLE_PERIOD_NANOS = 10_000_000L;
    /**
     * Looks in a row that found every thread idle before the guard slows down: 10 ms. One look is not enough: a busy
     * thread passes through its wait every round (the wait returns at once) and may be sampled there.
     */
    static final int QUIET_LOOKS = 20;

    private final List<WakeBoost> watched = new CopyOnWriteArrayList<>();
    private final Device device;
    private final ThreadPriority priority;
    private volatile long loans;

    StallGuard(Device device, ThreadPriority priority) {
        this.device = device;
        this.priority = priority;
    }

    /** Watches the thread that owns {@code boost}. */
    void watch(WakeBoost boost) {
        watched.add(boost);
    }

    /** Loans made so far (diagnostics, tests). */
    long loans() {
        return loans;
    }

    /**
     * One look at every watched thread: lends the priority to each stalled one.
     *
     * @return whether some thread is busy (look again after {@link #BUSY_PERIOD_NANOS})
     */
    boolean look() {
        boolean busy = false;
        for (WakeBoost b : watched) {
            if (b.stalled() && b.lend()) {
                loans++;
                busy = true; // lowered after its rounds, it may be taken off its CPU again at once: look soon
            }
            busy |= b.busy();
        }
        return busy;
    }

    @Override
    public void run() {
        priority.raise(); // to look on time while ordinary threads hold every CPU
        int quiet = 0;
        while (device.isRunning() && !Thread.currentThread().isInterrupted()) {
            quiet = look() ? 0 : quiet + 1;
            LockSupport.parkNanos(quiet >= QUIET_LOOKS ? IDLE_PERIOD_NANOS : BUSY_PERIOD_NANOS);
        }
    }
}
