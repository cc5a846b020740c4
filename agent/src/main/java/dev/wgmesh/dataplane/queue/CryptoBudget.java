package dev.wgmesh.dataplane.queue;

/**
 * A limit on bytes in flight between the scheduler and the send stage (queued for, or inside, the crypto workers).
 *
 * <p>The point (first background document, "byte crypto limits"): keep only about a millisecond of work in front
 * of the crypto workers, so the standing queue stays in FQ-CoDel, where it is fair and managed, not in a FIFO that
 * neither CoDel nor DRR can see. Too small a limit starves the workers; too large a limit is a bufferbloated FIFO.
 *
 * <p>Which one: {@link DqlBudget#shortHold} (10 ms slack hold). In the simulation of {@code bench/pipeline.sh}
 * (1–4 workers, a 3x slowdown phase, 10 or 100 µs completion hand-off) it keeps ≥ 99% of crypto throughput with the
 * lowest p99 standing latency (≈ 0.1–0.2 ms against 0.9–3.7 ms for a fixed 1000-packet FIFO); Linux's 1 s hold
 * stays over-grown for seconds when the hand-off is slow (p99 ≈ 0.65 ms), and {@link CodelWaitBudget} never
 * loses throughput but keeps about twice the standing latency of the short-hold DQL.
 *
 * <p>Threading contract: single-threaded. The scheduler thread calls everything; completions are handed back to
 * it by the pipeline (completed batches return to the scheduler thread, which calls {@link #onCompleted}).
 * Callers ask {@link #available} only when they have something to send, so a non-positive answer means "limited".
 */
public interface CryptoBudget {
    /** Bytes that may still be handed to crypto now; dispatch while positive (the last batch may overshoot). */
    long available(long now);

    /** {@code bytes} were handed to crypto. */
    void onDispatched(long bytes, long now);

    /**
     * A dispatched batch left the crypto stage.
     *
     * @param waitNanos how long it waited between dispatch and a worker starting on it
     * @param workerIdleNanos how long the worker that took it had found no work before (0 if it came straight from
     *     another batch): direct evidence of a starved worker, which with several workers DQL cannot see
     */
    void onCompleted(long bytes, long waitNanos, long workerIdleNanos, long now);

    /** The current limit, in bytes. */
    long limit();

    /** Bytes dispatched and not yet completed. */
    long inFlight();
}
