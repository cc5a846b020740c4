package dev.wgmesh.dataplane.time;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The real scheduler: one daemon thread ({@link ScheduledThreadPoolExecutor}) against {@link SystemClock}.
 *
 * <p>Tasks must be short (queue a handshake, send one keepalive): a slow task delays every other timer of the
 * device. A task that throws is logged and does not stop the thread.
 */
public final class SystemScheduler implements Scheduler {
    private static final System.Logger LOG = System.getLogger(SystemScheduler.class.getName());

    private final ScheduledThreadPoolExecutor executor;

    /** @param threadName name of the timer thread, e.g. {@code wg0-timers} */
    public SystemScheduler(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Clock clock() {
        return SystemClock.INSTANCE;
    }

    @Override
    public void wakeUpAt(Timer timer, long at) {
        if (executor.isShutdown()) {
            return;
        }
        long delay = at - System.nanoTime();
        executor.schedule(() -> run(timer, at), Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    private static void run(Timer timer, long at) {
        try {
            timer.onWakeup(at);
        } catch (RuntimeException | Error ex) {
            LOG.log(System.Logger.Level.ERROR, "timer task failed", ex);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
