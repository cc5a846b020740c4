package dev.wgmesh.dataplane.stats;

/**
 * Always-on statistics of one peer's queue (one FQ-CoDel tin): depth, traffic, drops by reason, ECN marks and the
 * CoDel sojourn-time histogram. Written only by the scheduler thread, read by anyone through {@link #snapshot}.
 */
public final class PeerQueueStats {
    /** Counter slots. */
    public static final int QUEUED_PACKETS = 0; // gauge

    public static final int QUEUED_BYTES = 1; // gauge
    public static final int ENQUEUED_PACKETS = 2;
    public static final int DEQUEUED_PACKETS = 3;
    public static final int DEQUEUED_BYTES = 4;
    public static final int DROPS_OVERFLOW = 5;
    public static final int DROPS_CODEL = 6;
    public static final int ECN_MARKS = 7;
    public static final int COLLISIONS = 8;
    public static final int DROPS_NONCE = 9;
    private static final int SLOTS = 10;

    private final SingleWriterCounters counters = new SingleWriterCounters(SLOTS);
    private final LogHistogram sojourn = new LogHistogram();

    /** Writer thread only. */
    public void add(int slot, long delta) {
        counters.add(slot, delta);
    }

    /** Writer thread only. */
    public void depth(long packets, long bytes) {
        counters.set(QUEUED_PACKETS, packets);
        counters.set(QUEUED_BYTES, bytes);
    }

    /** Writer thread only. */
    public void recordSojourn(long nanos) {
        sojourn.record(nanos);
    }

    public long get(int slot) {
        return counters.get(slot);
    }

    public LogHistogram sojourn() {
        return sojourn;
    }

    public Snapshot snapshot() {
        return new Snapshot(
                get(QUEUED_PACKETS),
                get(QUEUED_BYTES),
                get(ENQUEUED_PACKETS),
                get(DEQUEUED_PACKETS),
                get(DEQUEUED_BYTES),
                get(DROPS_OVERFLOW),
                get(DROPS_CODEL),
                get(DROPS_NONCE),
                get(ECN_MARKS),
                get(COLLISIONS),
                sojourn.quantile(0.50),
                sojourn.quantile(0.99),
                sojourn.max());
    }

    /** A reader's copy; durations in nanoseconds. */
    public record Snapshot(
            long queuedPackets,
            long queuedBytes,
            long enqueuedPackets,
            long dequeuedPackets,
            long dequeuedBytes,
            long dropsOverflow,
            long dropsCodel,
            long dropsNonceExhausted,
            long ecnMarks,
            long flowCollisions,
            long sojournP50Nanos,
            long sojournP99Nanos,
            long sojournMaxNanos) {}
}
