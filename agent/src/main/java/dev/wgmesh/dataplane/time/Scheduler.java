package dev.wgmesh.dataplane.time;

/**
 * Runs {@link Timer} tasks at monotonic deadlines of its {@link #clock()}.
 *
 * <p>{@link SystemScheduler} runs them on one daemon thread; {@link ManualScheduler} runs them inside {@link
 * FakeClock#advance}, deterministically, for tests. Either way all tasks of one scheduler run one at a time, so a
 * task never races another task of the same scheduler, but it does race the data-plane threads that re-arm timers.
 */
public interface Scheduler extends AutoCloseable {

    /** The clock deadlines refer to. */
    Clock clock();

    /**
     * Creates an idle timer that will run {@code task} on this scheduler each time it expires. Timers are created
     * once (per peer) and re-armed for ever after; see {@link Timer} for the cost model.
     */
    default Timer newTimer(Runnable task) {
        return new Timer(this, task);
    }

    /**
     * Asks for {@link Timer#onWakeup(long)} to be called with {@code at} once {@code clock().nanoTime() - at >= 0}.
     * Only {@link Timer} calls this; a late or spurious wake-up is harmless.
     */
    void wakeUpAt(Timer timer, long at);

    /** Stops running tasks; pending wake-ups are dropped. */
    @Override
    void close();
}
