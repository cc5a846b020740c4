package dev.wgmesh.dataplane.pipeline;

/**
 * How a dispatcher thread waits when a turn of its loop found nothing to do: spin briefly, then yield, then park.
 *
 * <p>Why not spin or yield for ever: on a machine with as many busy workers as cores, a dispatcher that stays
 * runnable takes its fair share of a core from the workers, and {@code sched_yield} does not give that share back
 * under CFS/EEVDF. Parking for a short while, while batches are in flight (their completion frees budget), leaves
 * the cores to the crypto; with nothing in flight the wait is longer, since new packets unpark the thread.
 *
 * <p>The device's dispatcher ({@code ParallelDataPath}) and the in-memory pipeline benchmark both wait this way, so
 * the benchmark measures the device's behaviour.
 */
public final class DispatcherIdle {
    /** Idle turns spent in {@link Thread#onSpinWait()}: a completion often lands within a few hundred ns. */
    static final int SPINS = 50;
    /** Idle turns after the spins spent in {@link Thread#yield()}, before parking. */
    static final int YIELDS = 10;

    static final long PARK_IN_FLIGHT_NANOS = 20_000;
    static final long PARK_IDLE_NANOS = 1_000_000;

    private DispatcherIdle() {}

    /**
     * Spins or yields for the {@code idle}-th consecutive idle turn (0-based).
     *
     * @return false when the turn should park instead ({@link #parkNanos})
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

    /** How long to park: briefly while {@code pipeline} has batches in flight, else until unparked or 1 ms. */
    public static long parkNanos(OrderedCryptoPipeline pipeline) {
        return pipeline.batchesInFlight() > 0 ? PARK_IN_FLIGHT_NANOS : PARK_IDLE_NANOS;
    }
}
