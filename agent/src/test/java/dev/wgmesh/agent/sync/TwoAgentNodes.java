package dev.wgmesh.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.SystemScheduler;
import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two agents' data planes over the in-memory network, configured the way the agent configures them (controller
 * {@link NetworkConfig} through a {@link ConfigApplier}), on the real clock (queue sojourn and handshake times are
 * real durations). Node "a" is 192.0.2.1 / 10.99.0.1, "b" is 192.0.2.2 / 10.99.0.2.
 */
final class TwoAgentNodes implements AutoCloseable {
    final MemoryNetwork net = new MemoryNetwork();
    final Node a;
    final Node b;

    TwoAgentNodes(Path dir, DataPathMode mode) throws Exception {
        a = new Node("a", 1, dir, mode);
        b = new Node("b", 2, dir, mode);
    }

    final class Node implements AutoCloseable {
        final String name;
        final String outer;
        final String inner;
        final byte[] publicKey;
        final MemoryTun tun;
        final SystemScheduler scheduler;
        final Device device;
        final ConfigApplier applier;
        final StatsCollector stats;
        /** The events the node's {@link HandshakeEvents} sent. */
        final BlockingQueue<AgentMessage> events = new LinkedBlockingQueue<>();

        final HandshakeEvents handshakes = new HandshakeEvents(events::add);
        private final List<AutoCloseable> closers = new ArrayList<>();

        Node(String name, int i, Path dir, DataPathMode mode) throws Exception {
            this.name = name;
            this.outer = "192.0.2." + i;
            this.inner = "10.99.0." + i;
            byte[] privateKey = Keys.generatePrivateKey();
            this.publicKey = X25519.publicKey(privateKey);
            this.tun = new MemoryTun("wg-" + name, 1420);
            this.scheduler = new SystemScheduler("timers-" + name);
            this.device = new Device(tun, net.newTransport(outer), scheduler, mode, 2);
            device.apply(new ConfigChange(privateKey, 51820, null, false, List.of()));
            this.applier = new ConfigApplier(
                    device, new SyncClientTest.FakeHost(), StateDir.open(dir.resolve(name)), peers -> {});
            device.setHandshakeListener(handshakes);
            this.stats = new StatsCollector(
                    "wg-" + name,
                    device,
                    applier,
                    Optional.empty(),
                    new DeviceQueueStats(device),
                    () -> true,
                    handshakes::handshakeRttMicros);
            closers.add(device);
            closers.add(scheduler::close);
        }

        PeerConfig asPeer(boolean withEndpoint) {
            PeerConfig.Builder p = PeerConfig.newBuilder()
                    .setPublicKey(ByteString.copyFrom(publicKey))
                    .addAllowedIps(inner + "/32")
                    .setName("site-" + name);
            if (withEndpoint) {
                p.setEndpoint(outer + ":51820");
            }
            return p.build();
        }

        /** Applies revision {@code revision} with {@code peers} as this node's peers. */
        void run(long revision, PeerConfig... peers) throws ApplyException {
            applier.applySnapshot(
                    revision,
                    NetworkConfig.newBuilder()
                            .setInterfaceConfig(InterfaceConfig.newBuilder()
                                    .addAddresses(inner + "/24")
                                    .setMtu(1420))
                            .addAllPeers(List.of(peers))
                            .build());
        }

        /** Injects a UDP-in-IPv4 packet of {@code size} bytes to {@code dst} into the TUN (waits while it is full). */
        void send(String dst, int size) throws InterruptedException {
            byte[] p = ipv4(inner, dst, size);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!tun.inject(p)) {
                assertThat(System.nanoTime()).as("TUN accepts the packet").isLessThan(deadline);
                Thread.sleep(1);
            }
        }

        byte[] receive() throws InterruptedException {
            return tun.collect(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            for (AutoCloseable c : closers) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // best effort in tests
                }
            }
        }
    }

    /** Both nodes run each other as peers (revision 1) and are started. */
    void connect() throws Exception {
        a.run(1, b.asPeer(true));
        b.run(1, a.asPeer(true));
        a.device.start();
        b.device.start();
    }

    /** A minimal IPv4/UDP packet (WireGuard checks no checksums). */
    static byte[] ipv4(String src, String dst, int size) {
        byte[] p = new byte[Math.max(28, size)];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(IpPrefix.parseAddress(src), 0, p, 12, 4);
        System.arraycopy(IpPrefix.parseAddress(dst), 0, p, 16, 4);
        p[20] = 0x30; // one flow: fixed ports
        p[21] = 0x39;
        p[22] = 0x30;
        p[23] = 0x3a;
        return p;
    }

    @Override
    public void close() {
        a.close();
        b.close();
    }
}
