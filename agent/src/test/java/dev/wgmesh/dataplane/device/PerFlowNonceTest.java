package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.io.MultiQueueTun;
import dev.wgmesh.dataplane.io.MultiSocketUdp;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-flow mode with four TUN queues, so four inline workers encrypt for the same peer at once: every transport
 * message on the wire must carry a different counter (nonce), and the receiver must accept all of them.
 */
@Timeout(60)
class PerFlowNonceTest {
    private static final int QUEUES = 4;
    private static final int PER_QUEUE = 500;
    private static final int WAVE = 50;

    /** Four in-memory TUN queues behind one interface. */
    private record Queues(List<MemoryTun> queues) implements MultiQueueTun {
        @Override
        public String name() {
            return queues.get(0).name();
        }

        @Override
        public int mtu() {
            return queues.get(0).mtu();
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            return queues.get(0).read(buf, off, len);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            queues.get(0).write(buf, off, len);
        }

        @Override
        public void close() {
            queues.forEach(MemoryTun::close);
        }
    }

    /** One in-memory socket offered as four (the workers share it, as they may share a port). */
    private static final class Sockets extends ForwardingUdp implements MultiSocketUdp {
        Sockets(MemoryNetwork.Transport udp) {
            super(udp);
        }

        @Override
        public List<? extends UdpTransport> sockets() {
            return Collections.nCopies(QUEUES, wire);
        }
    }

    @Test
    void workersSendingToOnePeerNeverShareACounter() throws Exception {
        FakeClock clock = new FakeClock();
        MemoryNetwork net = new MemoryNetwork(8192);
        List<Long> counters = Collections.synchronizedList(new ArrayList<>());
        net.setInterceptor((from, to, buf, off, len) -> {
            if (len >= WireGuardSpec.TRANSPORT_HEADER_SIZE
                    && buf[off] == WireGuardSpec.TYPE_TRANSPORT
                    && from.addressBytes()[3] == 1) {
                counters.add(TransportMessage.counter(buf, off));
            }
            return MemoryNetwork.Verdict.DELIVER;
        });
        List<MemoryTun> queues = new ArrayList<>();
        for (int q = 0; q < QUEUES; q++) {
            queues.add(new MemoryTun("wg-a", 1420, 4096));
        }
        MemoryTun tunB = new MemoryTun("wg-b", 1420, 8192);
        byte[] keyA = Keys.generatePrivateKey();
        byte[] keyB = Keys.generatePrivateKey();
        try (Device a = new Device(
                        new Queues(queues),
                        new Sockets(net.newTransport("192.0.2.1")),
                        new ManualScheduler(clock),
                        DataPathMode.PER_FLOW);
                Device b = new Device(
                        tunB, net.newTransport("192.0.2.2"), new ManualScheduler(clock), DataPathMode.INLINE)) {
            configure(a, keyA, X25519.publicKey(keyB), "192.0.2.2", "10.0.0.2");
            configure(b, keyB, X25519.publicKey(keyA), "192.0.2.1", "10.0.0.1");
            a.start();
            b.start();
            queues.get(0).inject(Packets.ipv4("10.0.0.1", "10.0.0.2", new byte[] {1}));
            assertThat(tunB.collect(5, TimeUnit.SECONDS))
                    .as("first packet after the handshake")
                    .isNotNull();

            // In waves: four workers encrypt for the peer at once within each wave, while b's receive queue (bounded
            // like wireguard-go's inbound queue) never holds more than a wave, so every packet must arrive.
            int expected = QUEUES * PER_QUEUE;
            int got = 0;
            for (int wave = 0; wave < PER_QUEUE / WAVE; wave++) {
                int first = wave * WAVE;
                Thread[] senders = new Thread[QUEUES];
                for (int q = 0; q < QUEUES; q++) {
                    MemoryTun tun = queues.get(q);
                    int queue = q;
                    senders[q] = new Thread(() -> {
                        for (int i = first; i < first + WAVE; i++) {
                            byte[] p = Packets.ipv4("10.0.0.1", "10.0.0.2", new byte[] {(byte) queue, (byte) i, 9, 9});
                            while (!tun.inject(p)) {
                                Thread.onSpinWait();
                            }
                        }
                    });
                    senders[q].start();
                }
                for (Thread t : senders) {
                    t.join();
                }
                for (int k = 0; k < QUEUES * WAVE && tunB.collect(5, TimeUnit.SECONDS) != null; k++) {
                    got++;
                }
            }
            assertThat(got).as("packets the receiver accepted").isEqualTo(expected);
            Set<Long> distinct;
            synchronized (counters) {
                assertThat(counters).hasSize(expected + 1);
                distinct = new HashSet<>(counters);
            }
            assertThat(distinct).as("distinct counters").hasSize(expected + 1);
            assertThat(b.counters().drops(DropReason.AUTH_FAILURE)).isZero();
            assertThat(b.counters().drops(DropReason.REPLAY)).isZero();
        }
    }

    private static void configure(Device d, byte[] key, byte[] peer, String endpoint, String allowed) throws Exception {
        ConfigChange.PeerChange pc = new ConfigChange.PeerChange(
                peer, false, false, null, endpoint + ":51820", null, true, List.of(IpPrefix.parse(allowed + "/32")));
        d.apply(new ConfigChange(key, 51820, null, false, List.of(pc)));
    }
}
