package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** The guard runs only when asked for ({@code wgmesh.stall.guard=on}), in the inline modes, and stops with the device. */
@Isolated("sets a system property that every Device reads")
class StallGuardThreadTest {
    private static Set<String> threadsOf(String ifname) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("wg-" + ifname + "-"))
                .collect(Collectors.toSet());
    }

    private static Device device(String ifname, DataPathMode mode) {
        return new Device(
                new MemoryTun(ifname, 1420),
                new MemoryNetwork().newTransport("192.0.2.9"),
                new ManualScheduler(new FakeClock()),
                mode,
                1);
    }

    @Test
    void startsWithAnInlineDeviceWhenOnAndStopsWithIt() throws Exception {
        System.setProperty("wgmesh.stall.guard", "on");
        try {
            Device d = device("sg-on", DataPathMode.INLINE);
            d.start();
            try (d) {
                assertThat(threadsOf("sg-on")).contains("wg-sg-on-guard", "wg-sg-on-tun", "wg-sg-on-udp");
            }
            Thread.sleep(50); // close() joined the threads; the guard leaves at its next look (10 ms when idle)
            assertThat(threadsOf("sg-on")).doesNotContain("wg-sg-on-guard");
            Device p = device("sg-par", DataPathMode.PARALLEL);
            p.start();
            try (p) {
                assertThat(threadsOf("sg-par"))
                        .as("the parallel path has no inline threads")
                        .isNotEmpty()
                        .doesNotContain("wg-sg-par-guard");
            }
        } finally {
            System.clearProperty("wgmesh.stall.guard");
        }
    }

    @Test
    void offByDefault() throws Exception {
        Device d = device("sg-off", DataPathMode.INLINE);
        d.start();
        try (d) {
            assertThat(threadsOf("sg-off")).contains("wg-sg-off-tun").doesNotContain("wg-sg-off-guard");
        }
    }
}
