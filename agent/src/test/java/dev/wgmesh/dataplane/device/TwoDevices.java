package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Two devices over the in-memory TUN and network, sharing one fake clock (timers run only when a test advances
 * it; the device threads run for real). Node "a" is 192.0.2.1:51820 with tunnel address 10.0.0.1, node "b" is
 * 192.0.2.2:51820 with 10.0.0.2.
 */
final class TwoDevices implements AutoCloseable {
    final FakeClock clock = new FakeClock();
    final MemoryNetwork net = new MemoryNetwork();
    final DataPathMode mode;
    final int cryptoWorkers;
    final Node a;
    final Node b;

    TwoDevices() {
        this(DataPathMode.PARALLEL);
    }

    TwoDevices(DataPathMode mode) {
        this(mode, UnaryOperator.identity());
    }

    /** @param bTransport wraps b's transport before b's device gets it (to shape how b's receiver sees the wire) */
    TwoDevices(DataPathMode mode, UnaryOperator<UdpTransport> bTransport) {
        this(mode, bTransport, 2);
    }

    /**
     * @param cryptoWorkers crypto threads per device in parallel mode (1: the dispatcher alone does the crypto, so
     *     holding the crypto holds the dispatcher)
     */
    TwoDevices(DataPathMode mode, UnaryOperator<UdpTransport> bTransport, int cryptoWorkers) {
        this.mode = mode;
        this.cryptoWorkers = cryptoWorkers;
        this.a = new Node("a", "192.0.2.1", "10.0.0.1", UnaryOperator.identity());
        this.b = new Node("b", "192.0.2.2", "10.0.0.2", bTransport);
    }

    /** One crypto thread per device: the dispatcher alone does the crypto, so holding the crypto holds it. */
    static TwoDevices oneCryptoThread(DataPathMode mode) {
        return new TwoDevices(mode, UnaryOperator.identity(), 1);
    }

    final class Node {
        final String name;
        final String outer;
        final String inner;
        final MemoryTun tun;
        final MemoryNetwork.Transport udp;
        final ManualScheduler scheduler = new ManualScheduler(clock);
        final Device device;
        final byte[] privateKey = Keys.generatePrivateKey();
        final byte[] publicKey = X25519.publicKey(privateKey);

        Node(String name, String outer, String inner, UnaryOperator<UdpTransport> transport) {
            this.name = name;
            this.outer = outer;
            this.inner = inner;
            this.tun = new MemoryTun("wg-" + name, 1420);
            this.udp = net.newTransport(outer);
            this.device = new Device(tun, transport.apply(udp), scheduler, mode, cryptoWorkers);
        }

        /** Sets our key and port, and {@code other} as a peer (with its endpoint when {@code withEndpoint}). */
        void configure(Node other, byte[] psk, boolean withEndpoint) throws ConfigException {
            configure(other, other.publicKey, psk, withEndpoint);
        }

        void configure(Node other, byte[] peerKey, byte[] psk, boolean withEndpoint) throws ConfigException {
            ConfigChange.PeerChange peer = new ConfigChange.PeerChange(
                    peerKey,
                    false,
                    false,
                    psk,
                    withEndpoint ? other.outer + ":51820" : null,
                    null,
                    true,
                    List.of(IpPrefix.parse(other.inner + "/32")));
            device.apply(new ConfigChange(privateKey, 51820, null, false, List.of(peer)));
        }

        void start() throws IOException {
            device.start();
        }

        /** Injects an IPv4 packet from {@code src} to {@code dst} with {@code payload} into this node's TUN. */
        void send(String src, String dst, byte[] payload) {
            assertThat(tun.inject(Packets.ipv4(src, dst, payload))).isTrue();
        }

        void send(Node to, byte[] payload) {
            send(inner, to.inner, payload);
        }

        byte[] receive() throws InterruptedException {
            return tun.collect(5, TimeUnit.SECONDS);
        }

        byte[] receiveNothing() throws InterruptedException {
            return tun.collect(200, TimeUnit.MILLISECONDS);
        }

        long drops(DropReason reason) {
            return device.counters().drops(reason);
        }

        boolean hasSessionWith(Node other) {
            return device.currentKeypair(other.publicKey) != null;
        }
    }

    void configureBoth(byte[] psk) throws Exception {
        a.configure(b, psk, true);
        b.configure(a, psk, true);
        a.start();
        b.start();
    }

    /** Advances the fake clock in steps, letting the device threads work in between. */
    void advanceSeconds(int seconds, int stepMillis) throws InterruptedException {
        long steps = seconds * 1000L / stepMillis;
        for (long i = 0; i < steps; i++) {
            clock.advanceMillis(stepMillis);
            Thread.sleep(2);
        }
    }

    /** Counters of both devices, for failure messages. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (Node n : List.of(a, b)) {
            sb.append(n.name)
                    .append(": initiations=")
                    .append(n.device.counters().initiationsSent());
            sb.append(" sessions=").append(n.device.counters().handshakesCompleted());
            sb.append(" cookies=").append(n.device.counters().cookieRepliesSent());
            for (DropReason r : DropReason.values()) {
                long d = n.drops(r);
                if (d > 0) {
                    sb.append(' ').append(r).append('=').append(d);
                }
            }
            sb.append("; ");
        }
        return sb.toString();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        awaitOrDescribe(condition, what, () -> "");
    }

    void awaitDescribed(BooleanSupplier condition, String what) throws InterruptedException {
        awaitOrDescribe(condition, what, this::describe);
    }

    private static void awaitOrDescribe(
            BooleanSupplier condition, String what, java.util.function.Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " " + state.get());
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        a.device.close();
        b.device.close();
    }
}
