package dev.wgmesh.dataplane.stats;

/**
 * Per-worker busy time and work done, one slot per crypto worker; each worker writes only its own slots.
 * Busy time over wall time is the worker's utilisation (the "per core busy time" of the observability brief).
 */
public final class WorkerStats {
    private static final int BUSY_NANOS = 0;
    private static final int BATCHES = 1;
    private static final int PACKETS = 2;
    private static final int FAILURES = 3;
    private static final int SLOTS = 4;

    private final SingleWriterCounters[] perWorker;

    public WorkerStats(int workers) {
        perWorker = new SingleWriterCounters[workers];
        for (int i = 0; i < workers; i++) {
            perWorker[i] = new SingleWriterCounters(SLOTS);
        }
    }

    /** Worker {@code w}'s thread only. */
    public void recordBatch(int w, long busyNanos, int packets, int failures) {
        SingleWriterCounters c = perWorker[w];
        c.add(BUSY_NANOS, busyNanos);
        c.add(BATCHES, 1);
        c.add(PACKETS, packets);
        if (failures != 0) {
            c.add(FAILURES, failures);
        }
    }

    public int workers() {
        return perWorker.length;
    }

    public long busyNanos(int w) {
        return perWorker[w].get(BUSY_NANOS);
    }

    public long batches(int w) {
        return perWorker[w].get(BATCHES);
    }

    public long packets(int w) {
        return perWorker[w].get(PACKETS);
    }

    /** Packets the crypto operation rejected (counted and dropped). */
    public long failures(int w) {
        return perWorker[w].get(FAILURES);
    }

    /** A reader's copy of one worker's counters. */
    public Snapshot snapshot(int w) {
        return new Snapshot(busyNanos(w), batches(w), packets(w), failures(w));
    }

    public record Snapshot(long busyNanos, long batches, long packets, long failures) {}
}
