package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.ThreadPolicy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Raising and lowering the calling thread's scheduling policy for real (tests run as root). */
@Timeout(30)
class LinuxThreadPriorityTest {
    /** The calling thread's policy: 0 SCHED_OTHER, 1 SCHED_FIFO. */
    private static int policy() throws Exception {
        return ThreadPolicy.of(Path.of("/proc/thread-self"));
    }

    @Test
    void raisesToFifoAndLowersToOtherOnTheCallingThreadOnly() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                int before = policy();
                boolean raised = LinuxThreadPriority.INSTANCE.raise();
                int during = policy();
                LinuxThreadPriority.INSTANCE.lower();
                seen.set(before + " " + raised + " " + during + " " + policy());
            } catch (Exception e) {
                seen.set(e.toString());
            }
        });
        t.join();
        assertThat(seen.get()).isEqualTo("0 true 1 0");
        assertThat(policy()).as("the test's own thread is untouched").isZero();
    }

    @Test
    void raisesAnotherThreadByItsIdWhichThenLowersItself() throws Exception {
        AtomicReference<Integer> id = new AtomicReference<>();
        java.util.concurrent.CountDownLatch raised = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                id.set(LinuxThreadPriority.INSTANCE.self());
                int before = policy();
                raised.await();
                int during = policy();
                LinuxThreadPriority.INSTANCE.lower();
                seen.set(before + " " + during + " " + policy());
            } catch (Exception e) {
                seen.set(e.toString());
            }
        });
        while (id.get() == null) {
            Thread.onSpinWait();
        }
        assertThat(id.get())
                .as("a kernel thread id, not the process id")
                .isPositive()
                .isNotEqualTo((int) ProcessHandle.current().pid());
        assertThat(LinuxThreadPriority.INSTANCE.raise(id.get())).isTrue();
        raised.countDown();
        t.join();
        assertThat(seen.get()).isEqualTo("0 1 0");
        assertThat(policy()).as("the raising thread is untouched").isZero();
        assertThat(LinuxThreadPriority.INSTANCE.raise(0)).as("no thread named").isFalse();
    }
}
