package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.io.Endpoint;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dual-stack UDP transport on loopback: v4 and v6 round trips, pktinfo sources, sticky replies, rebinding. */
@Timeout(30)
class LinuxUdpTest {
    private final LinuxUdp a = new LinuxUdp();
    private final LinuxUdp b = new LinuxUdp();

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    record Got(byte[] data, Endpoint from) {}

    private static Got receive(LinuxUdp udp) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
                    byte[] buf = new byte[2048];
                    Endpoint from = new Endpoint();
                    try {
                        int n = udp.receive(buf, 10, 2000, from);
                        return new Got(n < 0 ? null : Arrays.copyOfRange(buf, 10, 10 + n), from);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(5, TimeUnit.SECONDS);
    }

    private static void send(LinuxUdp udp, String text, Endpoint to) throws Exception {
        byte[] framed = ("xx" + text).getBytes(StandardCharsets.UTF_8);
        udp.send(framed, 2, framed.length - 2, to);
    }

    private static Endpoint ep(String host, int port) {
        return Endpoint.of(new InetSocketAddress(host, port));
    }

    @Test
    void ipv4RoundTripReportsPlainIpv4AndTheLocalAddress() throws Exception {
        a.bind(0);
        int port = b.bind(0);
        assertThat(port).isPositive();
        assertThat(b.localPort()).isEqualTo(port);

        send(a, "ping", ep("127.0.0.1", port));
        Got got = receive(b);
        assertThat(new String(got.data(), StandardCharsets.UTF_8)).isEqualTo("ping");
        assertThat(got.from().addressLength()).isEqualTo(4);
        assertThat(got.from().toString()).isEqualTo("127.0.0.1:" + a.localPort());
        assertThat(got.from().sourceLength()).isEqualTo(4);
        assertThat(IpPrefix.formatAddress(Arrays.copyOf(got.from().sourceBytes(), 4)))
                .isEqualTo("127.0.0.1");

        send(b, "pong", got.from());
        Got back = receive(a);
        assertThat(new String(back.data(), StandardCharsets.UTF_8)).isEqualTo("pong");
        assertThat(back.from().toString()).isEqualTo("127.0.0.1:" + port);
    }

    @Test
    void ipv6RoundTrip() throws Exception {
        a.bind(0);
        int port = b.bind(0);
        send(a, "six", ep("::1", port));
        Got got = receive(b);
        assertThat(new String(got.data(), StandardCharsets.UTF_8)).isEqualTo("six");
        assertThat(got.from().isIpv6()).isTrue();
        assertThat(got.from().toString()).isEqualTo("[::1]:" + a.localPort());
        assertThat(got.from().sourceLength()).isEqualTo(16);
        send(b, "back", got.from());
        assertThat(new String(receive(a).data(), StandardCharsets.UTF_8)).isEqualTo("back");
    }

    @Test
    void stickySourceAnswersFromTheAddressThePeerUsed() throws Exception {
        a.bind(0);
        int port = b.bind(0);
        // Every 127/8 address is local: a talks to b's 127.0.0.2, so b must answer from 127.0.0.2, not 127.0.0.1.
        send(a, "hi", ep("127.0.0.2", port));
        Got got = receive(b);
        assertThat(IpPrefix.formatAddress(Arrays.copyOf(got.from().sourceBytes(), 4)))
                .isEqualTo("127.0.0.2");
        send(b, "reply", got.from());
        assertThat(receive(a).from().toString()).isEqualTo("127.0.0.2:" + port);
    }

    @Test
    void vanishedSourceAddressIsClearedAndTheRoutingTableChooses() throws Exception {
        a.bind(0);
        int port = b.bind(0);
        Endpoint to = ep("127.0.0.1", port);
        byte[] notOurs = IpPrefix.parseAddress("192.0.2.55"); // TEST-NET-1, never assigned here
        to.setSource(notOurs, 0, 4, 0);
        send(a, "fallback", to);
        assertThat(to.sourceLength()).isZero();
        Got got = receive(b);
        assertThat(new String(got.data(), StandardCharsets.UTF_8)).isEqualTo("fallback");
        assertThat(got.from().toString()).isEqualTo("127.0.0.1:" + a.localPort());
    }

    @Test
    void rebindMovesABlockedReceiverToTheNewPort() throws Exception {
        a.bind(0);
        int first = b.bind(0);
        CompletableFuture<Got> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return receive(b);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        int second = b.bind(0);
        assertThat(second).isNotEqualTo(first);
        assertThat(b.localPort()).isEqualTo(second);
        send(a, "moved", ep("127.0.0.1", second));
        assertThat(new String(waiting.get(5, TimeUnit.SECONDS).data(), StandardCharsets.UTF_8))
                .isEqualTo("moved");
        // the old port is free again
        LinuxUdp c = new LinuxUdp();
        try {
            assertThat(c.bind(first)).isEqualTo(first);
        } finally {
            c.close();
        }
    }

    @Test
    void bindingTheSamePortAgainIsANoOpAndABusyPortFails() throws Exception {
        int port = b.bind(0);
        assertThat(b.bind(port)).isEqualTo(port);
        LinuxUdp c = new LinuxUdp();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.bind(port))
                    .isInstanceOf(NativeException.class)
                    .satisfies(e -> assertThat(((NativeException) e).errno()).isEqualTo(Libc.EADDRINUSE));
        } finally {
            c.close();
        }
    }

    @Test
    void closeWakesABlockedReceiver() throws Exception {
        b.bind(0);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return b.receive(new byte[100], 0, 100, new Endpoint());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        b.close();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void fwmarkIsSetOnTheSocket() throws Exception {
        dev.wgmesh.dataplane.netlab.NetLab.requireRoot(); // SO_MARK needs CAP_NET_ADMIN
        b.bind(0);
        assertThat(b.socketMark()).isZero();
        b.setFwmark(0x51820);
        assertThat(b.socketMark()).isEqualTo(0x51820);
        int port = b.bind(0); // a rebind keeps the mark
        assertThat(port).isPositive();
        assertThat(b.socketMark()).isEqualTo(0x51820);
        b.setFwmark(0);
        assertThat(b.socketMark()).isZero();
    }
}
