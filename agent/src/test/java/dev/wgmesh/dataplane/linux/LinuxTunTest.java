package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real TUN interface in a throwaway namespace: the kernel answers our pings, MTU changes and deletion show. */
@Timeout(60)
class LinuxTunTest {
    private NetLab lab;
    private Netns ns;
    private LinuxTun tun;

    @BeforeEach
    void setUp() throws Exception {
        lab = NetLab.create();
        ns = lab.namespace("tun");
        String name = lab.ifname("wgt");
        tun = ThreadNetns.call(ns.path(), () -> LinuxTun.open(name));
        ns.ok("ip", "addr", "add", "10.77.0.1/24", "dev", name);
        ns.ok("ip", "addr", "add", "fd77::1/64", "dev", name, "nodad");
        ns.ok("ip", "link", "set", name, "up");
    }

    @AfterEach
    void tearDown() {
        if (tun != null) {
            tun.close();
        }
        lab.close();
    }

    @Test
    void kernelAnswersIpv4EchoWrittenIntoTheTun() throws Exception {
        tun.write(IcmpPackets.echoV4("10.77.0.2", "10.77.0.1", 0x1234, 1), 0, 44);
        assertThat(awaitReply(0x1234, 1)).isTrue();
        assertThat(ns.ok("ip", "-s", "link", "show", tun.name()))
                .contains("RX:")
                .contains("TX:");
    }

    @Test
    void kernelAnswersIpv6EchoWrittenIntoTheTun() throws Exception {
        byte[] req = IcmpPackets.echoV6("fd77::2", "fd77::1", 0x4321, 7);
        tun.write(req, 0, req.length);
        assertThat(awaitReply(0x4321, 7)).isTrue();
    }

    @Test
    void writesAtAnOffsetAndReadsIntoAnOffset() throws Exception {
        byte[] req = IcmpPackets.echoV4("10.77.0.2", "10.77.0.1", 0x5555, 3);
        byte[] framed = new byte[req.length + 32];
        System.arraycopy(req, 0, framed, 16, req.length);
        tun.write(framed, 16, req.length);
        byte[] buf = new byte[2048];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            int n = tun.read(buf, 100, 1500);
            byte[] pkt = java.util.Arrays.copyOfRange(buf, 100, 100 + n);
            if (IcmpPackets.isEchoReply(pkt, n, 0x5555, 3)) {
                return;
            }
        }
        throw new AssertionError("no echo reply");
    }

    @Test
    void aPacketLongerThanTheBufferIsDroppedCountedAndTheNextOneRead() throws Exception {
        ns.ok("ip", "link", "set", tun.name(), "mtu", "9000");
        ThreadNetns.call(ns.path(), () -> {
            try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                java.net.InetAddress to = java.net.InetAddress.getByName("10.77.0.2");
                s.send(new java.net.DatagramPacket(new byte[3000], 3000, to, 9));
                s.send(new java.net.DatagramPacket(new byte[200], 200, to, 9));
            }
            return null;
        });
        dev.wgmesh.dataplane.buffer.PacketBuffer[] bufs = {dev.wgmesh.dataplane.buffer.PacketBuffer.unpooled(1552)};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            bufs[0].offset = 16;
            int n = tun.readBatch(bufs, 1, 65535); // the caller's limit is larger: the buffer's room decides
            assertThat(n).isEqualTo(1);
            assertThat(bufs[0].length).as("never more than the buffer holds").isLessThanOrEqualTo(1552 - 16 - 32);
            if (bufs[0].length == 228) { // 20 + 8 + 200: the small datagram, after the large one
                assertThat(tun.droppedFrames()).as("the 3,028-byte packet").isEqualTo(1);
                return;
            }
        }
        throw new AssertionError("the small datagram never came");
    }

    @Test
    void followsMtuChanges() throws Exception {
        assertThat(tun.mtu()).isEqualTo(1500);
        ns.ok("ip", "link", "set", tun.name(), "mtu", "1380");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tun.mtu() != 1380 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(tun.mtu()).isEqualTo(1380);
        assertThat(tun.refreshMtu()).isEqualTo(1380);
    }

    @Test
    void readReturnsMinusOneWhenTheInterfaceIsDeleted() throws Exception {
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            byte[] buf = new byte[2048];
            try {
                int n;
                do {
                    n = tun.read(buf, 0, buf.length);
                } while (n >= 0);
                return n;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        ns.ok("ip", "link", "del", tun.name());
        assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(tun.isGone()).isTrue();
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            byte[] buf = new byte[2048];
            try {
                int n;
                do {
                    n = tun.read(buf, 0, buf.length);
                } while (n >= 0);
                return n;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        tun.close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        // the interface goes away with its last descriptor (it was not made persistent)
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ns.exec("ip", "link", "show", tun.name()).exit() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ns.exec("ip", "link", "show", tun.name()).exit()).isNotZero();
    }

    @Test
    void multiQueueAttachesSeveralQueuesToOneInterface() throws Exception {
        String name = lab.ifname("wgq");
        LinuxTun.Options mq = new LinuxTun.Options(true, false, 0);
        LinuxTun q1 = ThreadNetns.call(ns.path(), () -> LinuxTun.open(name, mq));
        LinuxTun q2 = ThreadNetns.call(ns.path(), () -> LinuxTun.open(name, mq));
        try {
            assertThat(q2.ifindex()).isEqualTo(q1.ifindex());
            assertThat(ns.ok("ip", "-d", "link", "show", name)).contains("multi_queue");
        } finally {
            q1.close();
            q2.close();
        }
    }

    @Test
    void vnetHeaderModeStillCarriesPlainIpPackets() throws Exception {
        tun.close();
        String name = lab.ifname("wgv");
        LinuxTun v = ThreadNetns.call(ns.path(), () -> LinuxTun.open(name, new LinuxTun.Options(false, true, 0)));
        tun = v;
        ns.ok("ip", "addr", "add", "10.78.0.1/24", "dev", name);
        ns.ok("ip", "link", "set", name, "up");
        assertThat(ns.ok("ip", "-d", "link", "show", name)).contains("vnet_hdr");
        v.write(IcmpPackets.echoV4("10.78.0.2", "10.78.0.1", 0x7777, 9), 0, 44);
        assertThat(awaitReply(0x7777, 9)).isTrue();
    }

    private boolean awaitReply(int id, int seq) throws Exception {
        CompletableFuture<Boolean> reply = CompletableFuture.supplyAsync(() -> {
            byte[] buf = new byte[2048];
            try {
                for (int i = 0; i < 50; i++) {
                    int n = tun.read(buf, 0, buf.length);
                    if (n < 0) {
                        return false;
                    }
                    if (IcmpPackets.isEchoReply(buf, n, id, seq)) {
                        return true;
                    }
                }
                return false;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return reply.get(10, TimeUnit.SECONDS);
        } finally {
            reply.cancel(true);
        }
    }
}
