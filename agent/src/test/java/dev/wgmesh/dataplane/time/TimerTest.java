package dev.wgmesh.dataplane.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimerTest {
    private final FakeClock clock = new FakeClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<Long> firedAt = new ArrayList<>();
    private final Timer timer = scheduler.newTimer(() -> firedAt.add(clock.nanoTime()));

    @Test
    void firesOnceAtItsDeadline() {
        long start = clock.nanoTime();
        timer.schedule(1000);
        assertThat(timer.isPending()).isTrue();
        clock.advance(999);
        assertThat(firedAt).isEmpty();
        clock.advance(1);
        assertThat(firedAt).containsExactly(start + 1000);
        assertThat(timer.isPending()).isFalse();
        clock.advance(1_000_000);
        assertThat(firedAt).hasSize(1);
    }

    @Test
    void runsAtTheExactDeadlineEvenWhenAdvancedPastIt() {
        long start = clock.nanoTime();
        timer.schedule(300);
        clock.advance(10_000);
        assertThat(firedAt).containsExactly(start + 300);
        assertThat(clock.nanoTime()).isEqualTo(start + 10_000);
    }

    @Test
    void pushingTheDeadlineLaterDefersItWithoutNewWakeups() {
        long start = clock.nanoTime();
        timer.schedule(100);
        for (int i = 1; i <= 50; i++) {
            clock.advance(10);
            timer.schedule(100); // persistent-keepalive style: pushed back on every packet
        }
        assertThat(scheduler.queuedWakeups()).as("lazy rescheduling").isLessThanOrEqualTo(2);
        assertThat(firedAt).isEmpty();
        clock.advance(100);
        assertThat(firedAt).containsExactly(start + 600);
    }

    @Test
    void pullingTheDeadlineEarlierFiresEarlierAndOnlyOnce() {
        long start = clock.nanoTime();
        timer.schedule(1000);
        timer.schedule(10);
        clock.advance(2000);
        assertThat(firedAt).containsExactly(start + 10);
    }

    @Test
    void cancelPreventsFiringAndRearmWorks() {
        long start = clock.nanoTime();
        timer.schedule(100);
        timer.cancel();
        assertThat(timer.isPending()).isFalse();
        clock.advance(200);
        assertThat(firedAt).isEmpty();
        timer.schedule(50);
        clock.advance(50);
        assertThat(firedAt).containsExactly(start + 250);
    }

    @Test
    void taskMayRearmItself() {
        List<Long> ticks = new ArrayList<>();
        Timer[] self = new Timer[1];
        self[0] = scheduler.newTimer(() -> {
            ticks.add(clock.nanoTime());
            if (ticks.size() < 3) {
                self[0].schedule(100);
            }
        });
        long start = clock.nanoTime();
        self[0].schedule(100);
        clock.advance(1000);
        assertThat(ticks).containsExactly(start + 100, start + 200, start + 300);
    }

    @Test
    void timersRunInDeadlineOrderAcrossSchedulers() {
        ManualScheduler other = new ManualScheduler(clock);
        List<String> order = new ArrayList<>();
        Timer a = scheduler.newTimer(() -> order.add("a"));
        Timer b = other.newTimer(() -> order.add("b"));
        Timer c = scheduler.newTimer(() -> order.add("c"));
        c.schedule(30);
        a.schedule(10);
        b.schedule(20);
        clock.advance(100);
        assertThat(order).containsExactly("a", "b", "c");
    }

    @Test
    void closedSchedulerRunsNothing() {
        timer.schedule(10);
        scheduler.close();
        clock.advance(100);
        assertThat(firedAt).isEmpty();
    }

    @Test
    void systemSchedulerRunsOnItsThread() throws Exception {
        try (SystemScheduler real = new SystemScheduler("test-timers")) {
            CountDownLatch fired = new CountDownLatch(1);
            String[] thread = new String[1];
            Timer t = real.newTimer(() -> {
                thread[0] = Thread.currentThread().getName();
                fired.countDown();
            });
            long start = System.nanoTime();
            t.schedule(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
            assertThat(thread[0]).isEqualTo("test-timers");
            assertThat(t.isPending()).isFalse();
        }
    }

    @Test
    void systemSchedulerHonoursCancel() throws Exception {
        try (SystemScheduler real = new SystemScheduler("test-timers")) {
            CountDownLatch fired = new CountDownLatch(1);
            Timer t = real.newTimer(fired::countDown);
            // Generous delay: the cancel must land before the deadline even on a loaded build machine.
            t.schedule(TimeUnit.MILLISECONDS.toNanos(300));
            t.cancel();
            assertThat(fired.await(600, TimeUnit.MILLISECONDS)).isFalse();
            t.schedule(TimeUnit.MILLISECONDS.toNanos(1));
            assertThat(fired.await(5, TimeUnit.SECONDS))
                    .as("still usable after cancel")
                    .isTrue();
        }
    }

    @Test
    void fakeClockWallTimeMovesWithMonotonicTime() {
        long wall = clock.epochNanos();
        clock.advanceMillis(1500);
        assertThat(clock.epochNanos() - wall).isEqualTo(1_500_000_000L);
    }

    @Test
    void javaClockViewFollowsTheFakeWallClock() {
        java.time.Clock view = clock.asJavaClock();
        long before = view.instant().toEpochMilli();
        clock.advanceMillis(2500);
        assertThat(view.instant().toEpochMilli() - before).isEqualTo(2500);
        assertThat(view.millis()).isEqualTo(clock.epochNanos() / 1_000_000);
        assertThat(view.instant().getNano()).isEqualTo((int) (clock.epochNanos() % 1_000_000_000L));
    }

    @Test
    void noLostWakeupAfterConcurrentReschedulingOnTheRealScheduler() throws Exception {
        try (SystemScheduler real = new SystemScheduler("test-timers")) {
            java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
            Timer t = real.newTimer(runs::incrementAndGet);
            Thread[] threads = new Thread[3];
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    java.util.Random rnd = new java.util.Random();
                    for (int n = 0; n < 1_000_000 && System.nanoTime() < until; n++) {
                        // Mix of short delays (fire during the run), pushes back and cancels.
                        switch (rnd.nextInt(3)) {
                            case 0 -> t.schedule(rnd.nextInt(2_000_000));
                            case 1 -> t.schedule(TimeUnit.MILLISECONDS.toNanos(50));
                            default -> t.cancel();
                        }
                    }
                });
                threads[i].start();
            }
            for (Thread th : threads) {
                th.join();
            }
            // Whatever state the race left, a fresh deadline must still fire exactly once.
            t.cancel();
            Thread.sleep(100);
            int before = runs.get();
            t.schedule(TimeUnit.MILLISECONDS.toNanos(20));
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (runs.get() == before && System.nanoTime() < waitUntil) {
                Thread.sleep(5);
            }
            assertThat(runs.get()).isEqualTo(before + 1);
            assertThat(t.isPending()).isFalse();
        }
    }
}
