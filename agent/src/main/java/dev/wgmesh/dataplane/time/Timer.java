package dev.wgmesh.dataplane.time;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A re-armable one-shot timer with wireguard-go's {@code Mod}/{@code Del}/{@code IsPending} semantics.
 *
 * <p>Cost model: data-plane threads re-arm timers per packet (persistent keepalive, new handshake), so {@link
 * #schedule} only writes a volatile when the new deadline is not earlier than the wake-up already registered
 * with the scheduler: that wake-up finds the later deadline and re-registers itself (lazy rescheduling). Only a
 * deadline moved earlier, or a timer armed from idle, registers a new wake-up (one small allocation on the
 * real scheduler). {@link #cancel} never touches the scheduler; the stale wake-up is ignored when it comes.
 *
 * <p>Thread-safe: any thread may call {@link #schedule}, {@link #cancel} and {@link #isPending}. The task runs on
 * the scheduler's thread, at most once per expiry; if a deadline is re-armed while the old one is expiring, the
 * task runs for whichever deadline the wake-up observes and the timer stays pending for the newer one.
 */
public final class Timer {
    private static final long IDLE = Long.MIN_VALUE;
    private static final VarHandle DEADLINE;

    static {
        try {
            DEADLINE = MethodHandles.lookup().findVarHandle(Timer.class, "deadline", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final Scheduler scheduler;
    private final Clock clock;
    private final Runnable task;

    /** When the task is due ({@link #IDLE} = not pending). Written by anyone; cleared by CAS when it fires. */
    private volatile long deadline = IDLE;

    /** The earliest wake-up registered with the scheduler, or {@link #IDLE}. Guarded by {@code this} for writes. */
    private volatile long wakeup = IDLE;

    Timer(Scheduler scheduler, Runnable task) {
        this.scheduler = scheduler;
        this.clock = scheduler.clock();
        this.task = task;
    }

    /** Arms (or re-arms) the timer to expire {@code delayNanos} from now, replacing any pending deadline. */
    public void schedule(long delayNanos) {
        long at = clock.nanoTime() + Math.max(0, delayNanos);
        if (at == IDLE) {
            at++;
        }
        deadline = at;
        long w = wakeup;
        if (w != IDLE && w - at <= 0) {
            // An earlier wake-up is registered; it will see this deadline and re-register for it.
            return;
        }
        synchronized (this) {
            w = wakeup;
            if (w == IDLE || w - at > 0) {
                wakeup = at;
                scheduler.wakeUpAt(this, at);
            }
        }
    }

    /** Disarms the timer; the task will not run for the cancelled deadline. */
    public void cancel() {
        deadline = IDLE;
    }

    /** True between {@link #schedule} and the task starting (or {@link #cancel}). */
    public boolean isPending() {
        return deadline != IDLE;
    }

    /**
     * The pending deadline in {@link Clock#nanoTime()} terms; meaningless unless {@link #isPending()} (tests and
     * diagnostics only).
     */
    public long deadline() {
        return deadline;
    }

    /** Called by the scheduler on its thread, at or after {@code at}. */
    void onWakeup(long at) {
        long due;
        synchronized (this) {
            if (wakeup != at) {
                return; // stale: another wake-up is in charge
            }
            wakeup = IDLE;
            due = deadline;
            if (due == IDLE) {
                return;
            }
            if (due - clock.nanoTime() > 0) {
                wakeup = due;
                scheduler.wakeUpAt(this, due);
                return;
            }
        }
        // A concurrent schedule() that moved the deadline wins: it has registered its own wake-up.
        if (DEADLINE.compareAndSet(this, due, IDLE)) {
            task.run();
        }
    }
}
