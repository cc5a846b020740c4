package dev.wgmesh.dataplane.queue;

/**
 * A constant limit: the baseline the adaptive budgets are measured against (a large one behaves like the fixed
 * 1000-entry crypto FIFO the first background document describes). Single-threaded.
 */
public final class FixedBudget implements CryptoBudget {
    private final long limit;
    private long inFlight;

    public FixedBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        this.limit = limit;
    }

    @Override
    public long available(long now) {
        return limit - inFlight;
    }

    @Override
    public void onDispatched(long bytes, long now) {
        inFlight += bytes;
    }

    @Override
    public void onCompleted(long bytes, long waitNanos, long workerIdleNanos, long now) {
        if (bytes > inFlight) {
            throw new IllegalStateException("completed more than was dispatched");
        }
        inFlight -= bytes;
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public long inFlight() {
        return inFlight;
    }
}
