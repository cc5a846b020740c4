package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Raising and lowering the calling thread's scheduling policy for real (tests run as root). */
@Timeout(30)
class LinuxThreadPriorityTest {
    /** The calling thread's policy from /proc (field 41 of stat): 0 SCHED_OTHER, 1 SCHED_FIFO. */
    private static int policy() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(after[41 - 3]);
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
}
