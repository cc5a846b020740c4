package dev.wgmesh.dataplane.time;

import java.util.PriorityQueue;

/**
 * A deterministic scheduler for tests: tasks run inside {@link FakeClock#advance}, in deadline order, with the
 * fake clock set to each wake-up's time while its task runs, so a task that re-arms a timer measures from the
 * right instant. Several manual schedulers may share one clock.
 */
public final class ManualScheduler implements Scheduler {
    private record Wakeup(long at, long seq, Timer timer) {}

    private final FakeClock clock;
    // guarded by this
    private final PriorityQueue<Wakeup> queue = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.at - b.at, 0);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private long seq;
    private boolean closed;

    public ManualScheduler(FakeClock clock) {
        this.clock = clock;
        clock.register(this);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public synchronized void wakeUpAt(Timer timer, long at) {
        if (!closed) {
            queue.add(new Wakeup(at, seq++, timer));
        }
    }

    /** Number of registered wake-ups, stale ones included (diagnostics). */
    public synchronized int queuedWakeups() {
        return queue.size();
    }

    synchronized boolean hasWakeups() {
        return !queue.isEmpty();
    }

    /** The earliest registered wake-up time; only valid when {@link #hasWakeups()}. */
    synchronized long nextWakeup() {
        return queue.element().at;
    }

    /** Runs the earliest wake-up if it is due at {@code now}; returns whether one ran. */
    boolean runOneDue(long now) {
        Wakeup w;
        synchronized (this) {
            w = queue.peek();
            if (w == null || w.at - now > 0) {
                return false;
            }
            queue.poll();
        }
        w.timer.onWakeup(w.at);
        return true;
    }

    @Override
    public synchronized void close() {
        closed = true;
        queue.clear();
    }
}
