package dev.wgmesh.dataplane.pipeline;

/**
 * How a dispatcher thread waits when a turn of its loop found nothing to do: spin briefly, then yield, then park.
 *
 * <p>Why it parks rather than spins or polls: on a machine with as many busy workers as cores, a dispatcher that
 * stays runnable takes its fair share of a core from the workers, and {@code sched_yield} does not give that share
 * back under CFS/EEVDF. It parks in {@link OrderedCryptoPipeline#awaitReturn}, so the next returned batch (which
 * frees budget) or new packets (their producers unpark it) wake it, and the timeout only bounds a missed wake-up.
 * The short spin and yield first keep a single worker fed when the dispatcher has a core of its own. Measured on 2
 * cores with the in-memory pipeline, 2 workers: polling every 20 µs instead cost the scheduler thread 0.71 µs of CPU
 * per packet, parking at once on that timer 1.02 µs (woken for nothing); waiting for half the batches in flight to
 * return 0.35-0.39 µs, with the one-worker reference busy 97% of the time.
 *
 * <p>A dispatcher that helps with crypto ({@link OrderedCryptoPipeline#helpOne}) only gets here when no batch waits
 * for it either. The device's dispatcher ({@code ParallelDataPath}) and the in-memory pipeline benchmark both help
 * and wait this way, so the benchmark measures the device's behaviour.
 */
public final class DispatcherIdle {
    /** Idle turns spent in {@link Thread#onSpinWait()}: new packets or a batch often follow within a few µs. */
    static final int SPINS = 50;
    /** Idle turns after the spins spent in {@link Thread#yield()}, before parking. */
    static final int YIELDS = 10;
    /** The longest park: a safety net, since returned batches and new packets unpark the dispatcher. */
    static final long PARK_NANOS = 1_000_000;

    private DispatcherIdle() {}

    /**
     * Spins or yields for the {@code idle}-th consecutive idle turn (0-based).
     *
     * @return false when the turn should park instead ({@link #park})
     */
    public static boolean spinOrYield(int idle) {
        if (idle < SPINS) {
            Thread.onSpinWait();
            return true;
        }
        if (idle < SPINS + YIELDS) {
            Thread.yield();
            return true;
        }
        return false;
    }

    /** Parks until {@code pipeline} returns a batch, the thread is unparked, or {@link #PARK_NANOS} pass. */
    public static void park(OrderedCryptoPipeline pipeline) {
        pipeline.awaitReturn(PARK_NANOS);
    }
}
