package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading and writing a real TUN with reused buffers allocates nothing per packet, plain and with virtio headers:
 * the heap segments the native calls take are made once per buffer ({@link PacketBuffer#segmentFrom}) and once per
 * reader frame. Measured with the JVM's per-thread allocated-bytes counter (bytes, not time).
 */
@Timeout(60)
class LinuxTunAllocationTest {
    private static final int ROUNDS = 40;
    private static final int BATCH = 32;

    private final com.sun.management.ThreadMXBean mx =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private NetLab lab;
    private LinuxTun tun;
    // bytes allocated inside the TUN calls only (the test's own sends and assertions allocate)
    private long readAllocated;
    private long writeAllocated;

    @AfterEach
    void tearDown() {
        try (NetLab closing = lab) {
            if (tun != null) {
                tun.close();
            }
        }
    }

    @ParameterizedTest(name = "virtio header {0}")
    @ValueSource(booleans = {false, true})
    void readsAndWritesAllocateNothingPerPacket(boolean vnetHdr) throws Exception {
        Netns ns = open(vnetHdr);
        PacketBuffer[] bufs = buffers(BATCH);
        for (int warm = 0; warm < 15; warm++) {
            readRounds(ns, bufs, ROUNDS);
            writeRounds(bufs, ROUNDS);
        }
        readAllocated = 0;
        writeAllocated = 0;
        int read = readRounds(ns, bufs, ROUNDS);
        writeRounds(bufs, ROUNDS);
        assertThat(read).as("packets read").isEqualTo(ROUNDS * BATCH);
        assertThat(readAllocated).as("bytes allocated reading %d packets", read).isLessThan(2048);
        assertThat(writeAllocated)
                .as("bytes allocated writing %d packets", ROUNDS * BATCH)
                .isLessThan(2048);
    }

    @Test
    void aBufferKeepsTheSegmentsOfItsLastTwoOffsets() {
        PacketBuffer b = PacketBuffer.unpooled(256);
        var atHeadroom = b.segmentFrom(PacketBuffer.HEADROOM);
        var inFront = b.segmentFrom(PacketBuffer.HEADROOM - 10);
        assertThat(b.segmentFrom(PacketBuffer.HEADROOM)).isSameAs(atHeadroom);
        assertThat(b.segmentFrom(PacketBuffer.HEADROOM - 10)).isSameAs(inFront);
        assertThat(atHeadroom.byteSize()).isEqualTo(256 - PacketBuffer.HEADROOM);
        assertThat(b.segmentFrom(0))
                .as("a third offset")
                .isNotSameAs(atHeadroom)
                .isNotSameAs(inFront);
        b.data = new byte[512];
        assertThat(b.segmentFrom(0).byteSize())
                .as("a new array gets new segments")
                .isEqualTo(512);
    }

    private Netns open(boolean vnetHdr) throws Exception {
        lab = NetLab.create();
        Netns ns = lab.namespace("tunalloc");
        String name = lab.ifname("wga");
        LinuxTun.Options options = vnetHdr ? LinuxTun.Options.OFFLOADED : LinuxTun.Options.DEFAULT;
        tun = ThreadNetns.call(ns.path(), () -> LinuxTun.open(name, options));
        ns.ok("ip", "addr", "add", "10.78.0.1/24", "dev", name);
        ns.ok("ip", "link", "set", name, "up");
        return ns;
    }

    /** Rounds of BATCH datagrams sent from another thread, each read back as one batch on this thread. */
    private int readRounds(Netns ns, PacketBuffer[] bufs, int rounds) throws Exception {
        int read = 0;
        for (int r = 0; r < rounds; r++) {
            CompletableFuture.runAsync(() -> {
                        try {
                            NamespaceUdp.send(ns, "10.78.0.1", 0, 1, BATCH, "10.78.0.2", () -> false);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (got < BATCH && System.nanoTime() < deadline) {
                for (PacketBuffer b : bufs) {
                    b.offset = PacketBuffer.HEADROOM;
                }
                long before = mx.getCurrentThreadAllocatedBytes();
                int n = tun.readBatchNow(bufs, BATCH - got, 2048);
                readAllocated += mx.getCurrentThreadAllocatedBytes() - before; // the sends' allocation not counted
                got += Math.max(n, 0);
            }
            read += got;
        }
        return read;
    }

    /** Rounds of BATCH IPv4 UDP datagrams written to the TUN (to a closed local port: the kernel drops them). */
    private void writeRounds(PacketBuffer[] bufs, int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (PacketBuffer b : bufs) {
                udpV4(b);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            int failed = tun.writeBatch(bufs, BATCH);
            writeAllocated += mx.getCurrentThreadAllocatedBytes() - before;
            assertThat(failed).isZero();
        }
    }

    /** The datagram every write round sends: 10.78.0.2:9 → 10.78.0.1:9, a closed port. */
    private static final PacketBuffer TEMPLATE = IcmpPackets.udpV4("10.78.0.2", 9, "10.78.0.1", 9);

    private static void udpV4(PacketBuffer b) {
        b.offset = TEMPLATE.offset;
        b.length = TEMPLATE.length;
        System.arraycopy(TEMPLATE.data, TEMPLATE.offset, b.data, b.offset, TEMPLATE.length);
    }

    private static PacketBuffer[] buffers(int n) {
        PacketBuffer[] bufs = new PacketBuffer[n];
        for (int i = 0; i < n; i++) {
            bufs[i] = PacketBuffer.unpooled(2048 + PacketBuffer.HEADROOM);
        }
        return bufs;
    }
}
