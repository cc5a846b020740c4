package dev.wgmesh.bench;

import dev.wgmesh.dataplane.time.SystemScheduler;
import dev.wgmesh.dataplane.time.Timer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-packet timer hooks against the real scheduler: pushing a pending deadline later (persistent keepalive on
 * every packet) and checking a pending timer (onDataSent). Run with {@code -prof gc}: allocation per op must be
 * 0 — the lazy rescheduling in {@link Timer} registers no new wake-up for a later deadline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimerBench {
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(25);

    private SystemScheduler scheduler;
    private Timer timer;

    @Setup
    public void setUp() {
        scheduler = new SystemScheduler("bench-timers");
        timer = scheduler.newTimer(() -> {});
        timer.schedule(INTERVAL);
    }

    @TearDown
    public void tearDown() {
        scheduler.close();
    }

    @Benchmark
    public void pushBack() {
        timer.schedule(INTERVAL);
    }

    @Benchmark
    public boolean isPending() {
        return timer.isPending();
    }
}
