package dev.wgmesh.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Lock-free readers during heavy writes: a prefix nobody touches must be found every single time. */
class AllowedIpsConcurrencyTest {

    @Test
    void readersAlwaysSeeUntouchedPrefixesWhileWritersChurn() throws Exception {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.0/8"), "stable4");
        t.insert(IpPrefix.parse("10.200.7.0/24"), "stable4b");
        t.insert(IpPrefix.parse("fd00::/16"), "stable6");
        byte[] probe4 = IpPrefix.parseAddress("10.200.7.9");
        byte[] probe6 = IpPrefix.parseAddress("fd00:1234::1");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                while (!stop.get()) {
                    if (!"stable4b".equals(t.lookup(probe4, 0, 4))) {
                        failure.set("IPv4 probe got " + t.lookup(probe4, 0, 4));
                    }
                    if (!"stable6".equals(t.lookup(probe6, 0, 16))) {
                        failure.set("IPv6 probe got " + t.lookup(probe6, 0, 16));
                    }
                }
            } finally {
                done.countDown();
            }
        });
        reader.start();
        Random rnd = new Random(11);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        for (int i = 0; i < 200_000 && System.nanoTime() < deadline; i++) {
            // Churn around the probes without covering them more specifically: 10.x/16 except 10.200/16, fd00::/16
            // longer
            // prefixes that avoid fd00:1234::/32.
            byte[] a4 = {10, (byte) rnd.nextInt(200), (byte) rnd.nextInt(256), 0};
            IpPrefix p4 = new IpPrefix(a4, 16 + rnd.nextInt(17));
            byte[] a6 = new byte[16];
            rnd.nextBytes(a6);
            a6[0] = (byte) 0xfd;
            a6[1] = 0;
            a6[2] = (byte) 0x80; // fd00:8000::/17 and below, never fd00:1234::
            IpPrefix p6 = new IpPrefix(a6, 17 + rnd.nextInt(112));
            t.insert(p4, "churn" + (i % 5));
            t.insert(p6, "churn" + (i % 5));
            if (rnd.nextBoolean()) {
                t.remove(p4);
            }
            if (i % 1000 == 0) {
                t.removeAll("churn" + rnd.nextInt(5));
            }
        }
        stop.set(true);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
    }
}
