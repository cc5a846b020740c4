package dev.wgmesh.dataplane.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Splitting super-packets and merging segments must not allocate per packet once warmed up. Measured with the JVM's
 * per-thread allocated-bytes counter (bytes, not time).
 */
class OffloadAllocationTest {
    @Test
    void segmentingAndCoalescingDoNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] pkt = TcpPackets.tcp(4, 1, TcpPackets.ACK, TcpPackets.payload(60000, 1), 9, true);
        byte[] frame = new byte[VirtioNetHdr.LEN + pkt.length];
        VirtioNetHdr.write(frame, 0, VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 52, 1368, 20, 16);
        System.arraycopy(pkt, 0, frame, VirtioNetHdr.LEN, pkt.length);
        PacketBuffer[] bufs = new PacketBuffer[64];
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = PacketBuffer.unpooled(16 + 1504 + 32); // a pool buffer for a 1,500-byte MTU
        }
        int[] heads = new int[64];
        TcpSegmenter seg = new TcpSegmenter();
        TcpCoalescer gro = new TcpCoalescer();
        int[] groups = new int[1];
        Runnable round = () -> {
            int n = seg.start(frame, 0, frame.length);
            for (int i = 0; i < n; i++) {
                bufs[i].offset = 16;
                bufs[i].length = seg.nextSegment(bufs[i].data, 16);
            }
            groups[0] = gro.coalesce(bufs, n, heads);
        };
        for (int i = 0; i < 200; i++) {
            round.run();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100; i++) {
            round.run();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(groups[0])
                .as("the segments merge back into one super-packet")
                .isEqualTo(1);
        assertThat(allocated).as("bytes allocated for 100 × 44 segments").isLessThan(1024);
    }
}
