package dev.wgmesh.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Steady-state allocation of the probe threads, measured with the JVM's per-thread allocation counters: after a
 * warm-up, thousands of probes and answers must allocate (almost) nothing — what remains is the JDK's own.
 */
class ProbeAllocationTest {
    private static final LatencyProber.Settings BUSY =
            new LatencyProber.Settings(Duration.ofMillis(1), 0, Duration.ofMillis(30), Duration.ofSeconds(60));

    @Test
    void probingAllocatesAlmostNothingPerProbe() throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (LatencyProber a = new LatencyProber(
                        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}), 0), BUSY);
                LatencyProber b = new LatencyProber(
                        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 3}), 0), BUSY)) {
            a.addPeer("b", b.localAddress());
            b.addPeer("a", a.localAddress());
            await(a, 2000); // warm-up: JIT, caches
            long[] ids = probeThreadIds();
            long before = sum(mx.getThreadAllocatedBytes(ids));
            long answeredBefore = a.answeredProbes() + b.answeredProbes();
            await(a, a.answeredProbes() + 3000);
            long answered = a.answeredProbes() + b.answeredProbes() - answeredBefore;
            long bytes = sum(mx.getThreadAllocatedBytes(ids)) - before;
            double perProbe = (double) bytes / answered;
            System.out.printf(
                    "probe threads: %d bytes over %d answered probes = %.1f bytes/probe%n", bytes, answered, perProbe);
            assertThat(perProbe).isLessThan(32); // measured 4.2 bytes: the JDK's occasional bookkeeping
        }
    }

    private static void await(LatencyProber p, long answered) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (p.answeredProbes() < answered && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(p.answeredProbes()).isGreaterThanOrEqualTo(answered);
    }

    private static long[] probeThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("wgmesh-probe-"))
                .mapToLong(Thread::threadId)
                .toArray();
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += Math.max(0, x);
        }
        return s;
    }
}
