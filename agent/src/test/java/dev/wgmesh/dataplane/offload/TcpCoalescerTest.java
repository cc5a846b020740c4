package dev.wgmesh.dataplane.offload;

import static dev.wgmesh.dataplane.offload.TcpPackets.ACK;
import static dev.wgmesh.dataplane.offload.TcpPackets.FIN;
import static dev.wgmesh.dataplane.offload.TcpPackets.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcpCoalescerTest {
    private final TcpCoalescer gro = new TcpCoalescer();
    private final List<PacketBuffer> batch = new ArrayList<>();
    /** What {@link #run} says to write, group by group ({@link TcpCoalescer#output}). */
    private final List<PacketBuffer> out = new ArrayList<>();
    /** The size of a pool buffer for a 1,500-byte MTU: a super-packet does not fit in one. */
    private static final int POOL_BUFFER = 16 + 1504 + 32;

    private PacketBuffer add(byte[] pkt) {
        PacketBuffer b = PacketBuffer.unpooled(POOL_BUFFER);
        b.offset = 16;
        b.length = pkt.length;
        System.arraycopy(pkt, 0, b.data, 16, pkt.length);
        batch.add(b);
        return b;
    }

    private int[] run() {
        PacketBuffer[] bufs = batch.toArray(new PacketBuffer[0]);
        int[] heads = new int[bufs.length];
        int n = gro.coalesce(bufs, bufs.length, heads);
        out.clear();
        for (int g = 0; g < n; g++) {
            out.add(gro.output(bufs, g));
        }
        return Arrays.copyOf(heads, n);
    }

    private static byte[] seg(int version, long seq, int flags, int len, long seed) {
        return TcpPackets.tcp(version, seq, flags, TcpPackets.payload(len, seed), 1, false);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void mergesConsecutiveSegmentsIntoOneSuperPacket(int version) {
        int mss = 1380;
        byte[] whole = TcpPackets.payload(mss * 5 + 77, 42);
        long seq = 0xffffff00L; // wraps around 2^32 inside the run
        for (int i = 0; i < 6; i++) {
            byte[] part = Arrays.copyOfRange(whole, i * mss, Math.min(whole.length, (i + 1) * mss));
            int flags = i == 5 ? ACK | PSH : ACK;
            add(TcpPackets.tcp(version, (seq + (long) i * mss) & 0xffffffffL, flags, part, 100 + i, false));
        }
        byte[] first = Arrays.copyOfRange(batch.get(0).data, 0, POOL_BUFFER);
        int[] heads = run();
        assertThat(heads).containsExactly(0);
        PacketBuffer h = out.get(0);
        assertThat(h)
                .as("merged beyond a pool buffer's size, in the coalescer's own")
                .isNotSameAs(batch.get(0));
        assertThat(batch.get(0).data)
                .as("the batch's buffers are left as they were")
                .isEqualTo(first);
        int ip = version == 4 ? 20 : 40;
        byte[] d = h.data;
        int vh = h.offset - VirtioNetHdr.LEN;
        assertThat(VirtioNetHdr.flags(d, vh)).isEqualTo(VirtioNetHdr.F_NEEDS_CSUM);
        assertThat(VirtioNetHdr.gsoType(d, vh))
                .isEqualTo(version == 4 ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_TCPV6);
        assertThat(VirtioNetHdr.gsoSize(d, vh)).isEqualTo(mss);
        assertThat(VirtioNetHdr.csumStart(d, vh)).isEqualTo(ip);
        assertThat(VirtioNetHdr.csumOffset(d, vh)).isEqualTo(16);
        assertThat(h.length).isEqualTo(ip + 32 + whole.length);
        byte[] merged = Arrays.copyOfRange(d, h.offset, h.offset + h.length);
        assertThat(Arrays.copyOfRange(merged, ip + 32, merged.length)).isEqualTo(whole);
        assertThat(TcpPackets.u32(merged, ip + 4)).isEqualTo(seq);
        assertThat(merged[ip + 13] & 0xff).isEqualTo(ACK | PSH);
        if (version == 4) {
            assertThat(TcpPackets.u16(merged, 2)).isEqualTo(merged.length);
            assertThat(TcpPackets.ipv4ChecksumOk(merged, 0)).isTrue();
        } else {
            assertThat(TcpPackets.u16(merged, 4)).isEqualTo(merged.length - 40);
        }
        // The checksum field holds the pseudo-header sum; the kernel (CHECKSUM_PARTIAL) completes it.
        assertThat(TcpPackets.u16(merged, ip + 16))
                .isEqualTo(TcpPackets.fold(TcpPackets.pseudo(merged, version, merged.length - ip)));
        assertThat(TcpSegmenter.completeChecksum(merged, 0, merged.length, ip, 16))
                .isTrue();
        assertThat(TcpPackets.tcpChecksumOk(merged, 0, merged.length)).isTrue();
    }

    @Test
    void segmentingThenCoalescingGivesTheSuperPacketBack() {
        byte[] pkt = TcpPackets.tcp(4, 1000, ACK, TcpPackets.payload(20000, 9), 5, true);
        byte[] frame = new byte[VirtioNetHdr.LEN + pkt.length];
        VirtioNetHdr.write(frame, 0, VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 52, 1400, 20, 16);
        System.arraycopy(pkt, 0, frame, VirtioNetHdr.LEN, pkt.length);
        TcpSegmenter s = new TcpSegmenter();
        int n = s.start(frame, 0, frame.length);
        for (int i = 0; i < n; i++) {
            PacketBuffer b = PacketBuffer.unpooled(POOL_BUFFER);
            b.offset = 16;
            b.length = s.nextSegment(b.data, 16);
            batch.add(b);
        }
        assertThat(run()).containsExactly(0);
        PacketBuffer h = out.get(0);
        byte[] merged = Arrays.copyOfRange(h.data, h.offset, h.offset + h.length);
        assertThat(Arrays.copyOfRange(merged, 52, merged.length)).isEqualTo(Arrays.copyOfRange(pkt, 52, pkt.length));
        assertThat(TcpPackets.u16(merged, 4)).isEqualTo(5); // the first segment's IPv4 id
    }

    @Test
    void aGapAShortSegmentOrPshEndTheGroup() {
        add(seg(4, 0, ACK, 1000, 1));
        add(seg(4, 1000, ACK, 1000, 2));
        add(seg(4, 2500, ACK, 1000, 3)); // gap: new group
        add(seg(4, 3500, ACK, 400, 4)); // shorter: joins, then closes
        add(seg(4, 3900, ACK, 400, 5)); // new group
        add(seg(4, 4300, ACK | PSH, 400, 6)); // PSH joins and closes
        add(seg(4, 4700, ACK, 400, 7));
        assertThat(run()).containsExactly(0, 2, 4, 6);
        assertThat(out.get(0).length).isEqualTo(52 + 2000);
        assertThat(out.get(1).length).isEqualTo(52 + 1400);
        assertThat(out.get(2).length).isEqualTo(52 + 800);
        assertThat(out.get(3).length).isEqualTo(52 + 400);
        assertThat(out.get(3))
                .as("a lone packet is written from its own buffer")
                .isSameAs(batch.get(6));
        assertThat(VirtioNetHdr.gsoType(batch.get(6).data, 6)).isEqualTo(VirtioNetHdr.GSO_NONE);
    }

    @Test
    void interleavedFlowsMergeSeparatelyAndOtherPacketsPassAlone() {
        byte[] a0 = seg(4, 0, ACK, 1000, 1);
        byte[] b0 = seg(4, 0, ACK, 1000, 2);
        b0[20 + 1] = 99; // other source port (checksum recomputed below)
        fixTcp(b0, 4);
        byte[] b1 = seg(4, 1000, ACK, 1000, 3);
        b1[20 + 1] = 99;
        fixTcp(b1, 4);
        byte[] udp = seg(4, 0, ACK, 100, 4);
        udp[9] = 17;
        add(a0);
        add(b0);
        add(seg(4, 1000, ACK, 1000, 5));
        add(udp);
        add(b1);
        assertThat(run()).containsExactly(0, 1, 3);
        assertThat(out.get(0).length).isEqualTo(52 + 2000);
        assertThat(out.get(1).length).isEqualTo(52 + 2000);
        assertThat(out.get(1)).isNotSameAs(out.get(0));
        assertThat(VirtioNetHdr.gsoType(batch.get(3).data, 6)).isEqualTo(VirtioNetHdr.GSO_NONE);
        assertThat(out.get(2)).isSameAs(batch.get(3));
        assertThat(batch.get(3).length).isEqualTo(152);
    }

    @Test
    void badChecksumDifferentAckOrFinAreNotMerged() {
        add(seg(6, 0, ACK, 1000, 1));
        byte[] bad = seg(6, 1000, ACK, 1000, 2);
        bad[100] ^= 1;
        add(bad); // corrupt: written alone for the kernel to drop
        add(seg(6, 1000, ACK, 1000, 3));
        byte[] otherAck = seg(6, 2000, ACK, 1000, 4);
        otherAck[40 + 11] ^= 1;
        fixTcp(otherAck, 6);
        add(otherAck);
        add(seg(6, 3000, ACK | FIN, 0, 5));
        add(seg(6, 3000, ACK, 1000, 6)); // must not jump ahead of the FIN
        assertThat(run()).containsExactly(0, 1, 3, 4, 5);
        assertThat(out.get(0).length).isEqualTo(72 + 2000); // the good one merged past the bad one
    }

    private static void fixTcp(byte[] p, int version) {
        int ip = version == 4 ? 20 : 40;
        TcpPackets.put16(p, ip + 16, 0);
        TcpPackets.put16(
                p,
                ip + 16,
                ~TcpPackets.sum(p, ip, p.length - ip, TcpPackets.pseudo(p, version, p.length - ip)) & 0xffff);
    }
}
