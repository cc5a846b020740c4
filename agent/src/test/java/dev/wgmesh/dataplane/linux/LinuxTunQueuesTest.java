package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One reader on the eight queues (rings) of a real multi-queue TUN in a throwaway namespace: the kernel spreads UDP
 * flows sent from inside the namespace over the rings, and the reader takes from every ring in turn, so a flow that
 * filled its ring first does not keep the others waiting; a flow whose ring carries a flood is moved off it.
 */
@Timeout(60)
class LinuxTunQueuesTest {
    private static final int RINGS = 8;
    private static final int FLOOD_PORT = 40000;

    private NetLab lab;
    private Netns ns;
    private LinuxTunQueues tun;

    @BeforeEach
    void setUp() throws Exception {
        lab = NetLab.create();
        ns = lab.namespace("tunq");
        String name = lab.ifname("wgr");
        tun = ThreadNetns.call(ns.path(), () -> LinuxTunQueues.open(name, LinuxTun.Options.DEFAULT, RINGS));
        ns.ok("ip", "addr", "add", "10.79.0.1/24", "dev", name);
        ns.ok("ip", "link", "set", name, "up");
    }

    @AfterEach
    void tearDown() {
        try (NetLab closing = lab) {
            if (tun != null) {
                tun.close();
            }
        }
    }

    @Test
    void readsPacketsFromEveryRing() throws Exception {
        sendFromPorts(41000, 64, 1);
        Set<Integer> ports = new HashSet<>();
        PacketBuffer[] bufs = buffers(16);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ports.size() < 64 && System.nanoTime() < deadline) {
            int n = tun.readBatch(bufs, bufs.length, 2048);
            assertThat(n).isPositive();
            for (int i = 0; i < n; i++) {
                int port = udpSourcePort(bufs[i]);
                if (port >= 41000) {
                    ports.add(port);
                }
            }
        }
        assertThat(ports).hasSize(64);
        assertThat(ringsThatCarried())
                .as("the kernel spread 64 flows over the rings")
                .isGreaterThan(1);
    }

    @Test
    void aFloodedRingDoesNotKeepTheOtherRingsWaiting() throws Exception {
        // The flood fills its ring (tx_queue_len 500) before anything else is sent; then 20 single-packet flows.
        sendFromPorts(FLOOD_PORT, 1, 2000);
        sendFromPorts(42000, 20, 1);
        PacketBuffer[] bufs = buffers(64);
        int n = tun.readBatchNow(bufs, bufs.length, 2048);
        assertThat(n).isEqualTo(64);
        Set<Integer> others = new HashSet<>();
        int flood = 0;
        for (int i = 0; i < n; i++) {
            int port = udpSourcePort(bufs[i]);
            if (port == FLOOD_PORT) {
                flood++;
            } else if (port >= 42000) {
                others.add(port);
            }
        }
        // One ring read first, as a single queue is, would give 64 flood packets. Each of the 20 flows lands on
        // another ring than the flood with probability 7/8; those rings are read in the same call.
        assertThat(others.size())
                .as("single-packet flows read alongside the flood")
                .isGreaterThanOrEqualTo(10);
        assertThat(flood).as("the flood's ring still gets its share").isGreaterThanOrEqualTo(64 / RINGS);
    }

    @Test
    void aFlowKeepsToTheRingItsReturnTrafficIsWrittenOn() throws Exception {
        int flows = 16;
        PacketBuffer[] replies = new PacketBuffer[flows];
        for (int f = 0; f < flows; f++) {
            replies[f] = udpV4("10.79.0.2", 9, "10.79.0.1", 43000 + f);
        }
        assertThat(tun.writeBatch(replies, flows)).isZero();
        sendFromPorts(43000, flows, 1);
        int found = 0;
        PacketBuffer[] bufs = buffers(64);
        for (int q = 0; q < RINGS; q++) {
            int n = tun.queues().get(q).readBatchNow(bufs, bufs.length, 2048);
            for (int i = 0; i < n; i++) {
                int port = udpSourcePort(bufs[i]);
                if (port >= 43000 && port < 43000 + flows) {
                    PacketBuffer reply = udpV4("10.79.0.2", 9, "10.79.0.1", port);
                    assertThat(q).as("ring of port " + port).isEqualTo(ringOf(reply));
                    found++;
                }
            }
        }
        assertThat(found).isEqualTo(flows);
    }

    @Test
    void aFlowWhoseRingCarriesAFloodIsMovedToAnotherRing() throws Exception {
        // A flood from one port while the reader reads, until the reader sees its ring as hot.
        AtomicBoolean stop = new AtomicBoolean();
        long floodEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            try {
                NamespaceUdp.send(
                        ns,
                        "10.79.0.1",
                        FLOOD_PORT,
                        1,
                        2_000_000,
                        "10.79.0.2",
                        () -> stop.get() || System.nanoTime() > floodEnd);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        PacketBuffer[] bufs = buffers(64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        try {
            while (tun.hotRings() == 0 && System.nanoTime() < deadline) {
                tun.readBatchNow(bufs, bufs.length, 2048);
            }
        } finally {
            stop.set(true);
            flood.get(10, TimeUnit.SECONDS);
        }
        long hot = tun.hotRings();
        assertThat(Long.bitCount(hot))
                .as("the flood's ring, and only it, is hot")
                .isEqualTo(1);
        int floodRing = Long.numberOfTrailingZeros(hot);
        drainEveryRing(bufs);

        // A flow whose own ring is the flood's: its return traffic goes elsewhere, and the kernel moves it there.
        int port = 45000;
        while (ringOf(udpV4("10.79.0.2", 9, "10.79.0.1", port)) != floodRing) {
            port++;
        }
        PacketBuffer reply = udpV4("10.79.0.2", 9, "10.79.0.1", port);
        assertThat(tun.writeBatch(new PacketBuffer[] {reply}, 1)).isZero();
        sendFromPorts(port, 1, 1);
        int ringOfFlow = -1;
        for (int q = 0; q < RINGS && ringOfFlow < 0; q++) {
            int n = tun.queues().get(q).readBatchNow(bufs, bufs.length, 2048);
            for (int i = 0; i < n; i++) {
                if (udpSourcePort(bufs[i]) == port) {
                    ringOfFlow = q;
                }
            }
        }
        assertThat(ringOfFlow).as("the flow was read").isNotNegative();
        assertThat(ringOfFlow).as("the flow left the flood's ring").isNotEqualTo(floodRing);
    }

    @Test
    void theQueueHashIsTheSameBothWays() {
        PacketBuffer there = udpV4("10.1.2.3", 5000, "10.9.8.7", 53);
        PacketBuffer back = udpV4("10.9.8.7", 53, "10.1.2.3", 5000);
        Set<Integer> queues = new HashSet<>();
        for (int port = 5000; port < 5064; port++) {
            PacketBuffer p = udpV4("10.1.2.3", port, "10.9.8.7", 53);
            queues.add(ringOf(p));
        }
        assertThat(ringOf(there)).isEqualTo(ringOf(back));
        assertThat(queues).as("64 flows spread over the rings").hasSizeGreaterThan(RINGS / 2);
        assertThat(LinuxTunQueues.flowHash(new byte[8], 0, 8))
                .as("unparsable: ring 0")
                .isZero();
    }

    @Test
    void closeWakesAReaderWaitingOnAllRings() throws Exception {
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            PacketBuffer[] bufs = buffers(8);
            try {
                int n;
                do {
                    n = tun.readBatch(bufs, bufs.length, 2048);
                } while (n > 0);
                return n;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        tun.close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    private void drainEveryRing(PacketBuffer[] bufs) throws Exception {
        for (LinuxTun q : tun.queues()) {
            while (q.readBatchNow(bufs, bufs.length, 2048) > 0) {
                // discard
            }
        }
    }

    /** {@code count} flows (source ports from {@code firstPort}), {@code packets} datagrams each, to 10.79.0.2. */
    private void sendFromPorts(int firstPort, int count, int packets) throws Exception {
        NamespaceUdp.send(ns, "10.79.0.1", firstPort, count, packets, "10.79.0.2", () -> false);
    }

    /** The ring a packet's flow is written on while no ring is hot. */
    private static int ringOf(PacketBuffer p) {
        return RingHeat.scale(LinuxTunQueues.flowHash(p.data, p.offset, p.length), RINGS);
    }

    /** Rings whose qdisc sent packets (tc's per-queue children of the mq root). */
    private int ringsThatCarried() throws Exception {
        Matcher m = Pattern.compile("parent :\\w+.*?\\n\\s*Sent \\d+ bytes (\\d+) pkt", Pattern.DOTALL)
                .matcher(ns.ok("tc", "-s", "qdisc", "show", "dev", tun.name()));
        int carried = 0;
        while (m.find()) {
            if (Long.parseLong(m.group(1)) > 0) {
                carried++;
            }
        }
        return carried;
    }

    private static PacketBuffer udpV4(String src, int sport, String dst, int dport) {
        return IcmpPackets.udpV4(src, sport, dst, dport);
    }

    private static int udpSourcePort(PacketBuffer b) {
        int ihl = (b.data[b.offset] & 0x0f) * 4;
        if (b.length < ihl + 8 || b.data[b.offset + 9] != 17) {
            return -1;
        }
        return ((b.data[b.offset + ihl] & 0xff) << 8) | (b.data[b.offset + ihl + 1] & 0xff);
    }

    private static PacketBuffer[] buffers(int n) {
        PacketBuffer[] bufs = new PacketBuffer[n];
        for (int i = 0; i < n; i++) {
            bufs[i] = PacketBuffer.unpooled(2048 + PacketBuffer.HEADROOM);
        }
        return bufs;
    }
}
