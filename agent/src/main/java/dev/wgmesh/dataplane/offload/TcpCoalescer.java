package dev.wgmesh.dataplane.offload;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.util.Arrays;

/**
 * GRO in software for the TUN write side: merges consecutive TCP segments of one flow from a batch of decrypted
 * packets into a super-packet that the kernel takes in one write and treats as one skb (TSO/GRO in reverse,
 * kernel {@code tcp_gro_receive}).
 *
 * <p>A packet joins the latest group of its flow (same addresses and ports) when all of these hold, otherwise it
 * closes that group and starts its own (so the order within a flow is kept; groups are written in the order they
 * were started):
 *
 * <ul>
 *   <li>IPv4 without options or fragmentation, or IPv6 with TCP as next header; lengths as the headers claim;
 *   <li>flags exactly ACK or ACK|PSH, payload not empty, its TCP checksum valid (the kernel will not check a
 *       merged packet, so we check the parts);
 *   <li>same ack, TCP header length and options; same TOS/TTL/DF (IPv4) or first word and hop limit (IPv6);
 *   <li>its sequence number continues the group; payload at most the group's segment size; the group is still
 *       open (a shorter segment or PSH ends it) and stays within 64 segments and 65,535 bytes.
 * </ul>
 *
 * <p>Output ({@link #coalesce}, {@link #output}): per group a packet with its virtio header written in the {@link
 * VirtioNetHdr#LEN} bytes before {@code offset} (headroom): a lone packet in its own buffer with a GSO_NONE header,
 * a merged one in a buffer of the coalescer's (built from a copy of its first segment: the batch's buffers are sized
 * for the MTU) with GSO_TCPV4/V6, NEEDS_CSUM and the pseudo-header sum in its checksum field. The batch's buffers
 * are otherwise left as they were; the caller releases every one after writing. One instance per
 * writer thread; no allocation once its arrays have grown to the batch size.
 */
public final class TcpCoalescer {
    /** Most segments in one super-packet (the kernel's GRO limit, {@code MAX_GRO_SKBS}/UDP_GRO_CNT_MAX). */
    public static final int MAX_SEGMENTS = 64;
    /** Largest merged packet: an IP packet's limit. */
    private static final int MAX_MERGED = 65535;

    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    /** How many recent groups a packet is compared with. */
    private static final int SEARCH = 8;

    private int[] head = new int[0];
    private long[] nextSeq = new long[0];
    private int[] size = new int[0];
    private int[] segs = new int[0];
    private boolean[] open = new boolean[0];
    private int[] iph = new int[0];
    private int[] tcph = new int[0];
    /** Per group: the index in {@link #mergeBuffers} its merged packet is built in, or -1 while it has one segment. */
    private int[] mergedIn = new int[0];
    /**
     * Where merged packets are built: pool buffers are sized for the MTU, a super-packet needs up to 64 KiB. Made on
     * first use and kept, as many as the most groups one batch merged (a few bulk flows: a few).
     */
    private PacketBuffer[] mergeBuffers = new PacketBuffer[0];

    private int mergeBuffersUsed;
    private int groups;

    /**
     * Plans and performs the merges for {@code bufs[0..count)}.
     *
     * @param heads receives the indices of the buffers to write, in order; at least {@code count} long
     * @return the number of entries written to {@code heads}
     */
    public int coalesce(PacketBuffer[] bufs, int count, int[] heads) {
        ensure(count);
        groups = 0;
        mergeBuffersUsed = 0;
        for (int i = 0; i < count; i++) {
            PacketBuffer b = bufs[i];
            int shape = tcpShape(b.data, b.offset, b.length);
            if (shape != 0 && !checksumValid(b, shape)) {
                startGroup(bufs, i, 0); // written alone for the kernel to drop; its flow's group stays open
                continue;
            }
            if (shape != 0) {
                int g = latestGroupOfFlow(bufs, b, shape);
                if (g >= 0 && tryAppend(bufs, g, b, shape)) {
                    continue;
                }
                if (g >= 0) {
                    open[g] = false;
                }
            } else if (isTcp(b.data, b.offset, b.length)) {
                closeFlow(bufs, b); // a SYN/FIN/RST or odd segment must not be overtaken by its flow
            }
            startGroup(bufs, i, shape);
        }
        for (int g = 0; g < groups; g++) {
            finish(groupHead(bufs, g), g);
            heads[g] = head[g];
        }
        return groups;
    }

    /**
     * What to write for output {@code group} of the last {@link #coalesce}: the packet at {@code bufs[heads[group]]}
     * when it stands alone, else the merged packet in a buffer of this coalescer's (valid until the next call). Either
     * way its virtio header sits in the {@link VirtioNetHdr#LEN} bytes before {@code offset}.
     */
    public PacketBuffer output(PacketBuffer[] bufs, int group) {
        return groupHead(bufs, group);
    }

    private PacketBuffer groupHead(PacketBuffer[] bufs, int g) {
        int m = mergedIn[g];
        return m < 0 ? bufs[head[g]] : mergeBuffers[m];
    }

    /** The number of packets merged into output {@code group} of the last {@link #coalesce} (1 when alone). */
    public int segments(int group) {
        return segs[group];
    }

    private void startGroup(PacketBuffer[] bufs, int i, int shape) {
        int g = groups++;
        head[g] = i;
        segs[g] = 1;
        open[g] = false;
        iph[g] = 0;
        mergedIn[g] = -1;
        if (shape == 0) {
            return;
        }
        PacketBuffer b = bufs[i];
        int ip = shape & 0xff;
        int th = shape >>> 8;
        iph[g] = ip;
        tcph[g] = th;
        int payload = b.length - ip - th;
        int tcp = b.offset + ip;
        size[g] = payload;
        nextSeq[g] = (TcpSegmenter.u32(b.data, tcp + 4) + payload) & 0xffffffffL;
        open[g] = (b.data[tcp + 13] & PSH) == 0;
    }

    private static boolean checksumValid(PacketBuffer b, int shape) {
        int ip = shape & 0xff;
        return Checksum.tcpValid(b.data, b.offset, b.length, ip == 20 ? 4 : 6, ip);
    }

    /** 0 unless a GRO candidate; else IP header length | TCP header length << 8. */
    private static int tcpShape(byte[] d, int off, int len) {
        if (len < 40) {
            return 0;
        }
        int v = (d[off] & 0xff) >>> 4;
        int ip;
        if (v == 4) {
            if (d[off] != 0x45
                    || d[off + 9] != Checksum.PROTO_TCP
                    || (d[off + 6] & 0x3f) != 0
                    || d[off + 7] != 0
                    || TcpSegmenter.u16(d, off + 2) != len) {
                return 0;
            }
            ip = 20;
        } else if (v == 6) {
            if (len < 60 || d[off + 6] != Checksum.PROTO_TCP || TcpSegmenter.u16(d, off + 4) != len - 40) {
                return 0;
            }
            ip = 40;
        } else {
            return 0;
        }
        int th = ((d[off + ip + 12] & 0xff) >>> 4) * 4;
        if (th < 20 || ip + th >= len) {
            return 0; // no payload (pure ACK) or malformed
        }
        int flags = d[off + ip + 13] & 0xff;
        if (flags != ACK && flags != (ACK | PSH)) {
            return 0;
        }
        return ip | (th << 8);
    }

    private static boolean isTcp(byte[] d, int off, int len) {
        if (len < 40) {
            return false;
        }
        int v = (d[off] & 0xff) >>> 4;
        return (v == 4 && d[off + 9] == Checksum.PROTO_TCP) || (v == 6 && d[off + 6] == Checksum.PROTO_TCP);
    }

    private int latestGroupOfFlow(PacketBuffer[] bufs, PacketBuffer b, int shape) {
        for (int g = groups - 1; g >= 0 && g >= groups - SEARCH; g--) {
            if (segs[g] > 0 && iph[g] == (shape & 0xff) && sameFlow(groupHead(bufs, g), b, iph[g])) {
                return g;
            }
        }
        return -1;
    }

    private void closeFlow(PacketBuffer[] bufs, PacketBuffer b) {
        int ip = ((b.data[b.offset] & 0xff) >>> 4) == 4 ? (b.data[b.offset] & 0x0f) * 4 : 40;
        for (int g = groups - 1; g >= 0 && g >= groups - SEARCH; g--) {
            if (open[g] && iph[g] == ip && sameFlow(groupHead(bufs, g), b, ip)) {
                open[g] = false;
            }
        }
    }

    /** Same version, addresses and ports (the TCP 4-tuple). */
    private static boolean sameFlow(PacketBuffer h, PacketBuffer b, int ip) {
        byte[] x = h.data;
        byte[] y = b.data;
        int xo = h.offset;
        int yo = b.offset;
        if (((x[xo] ^ y[yo]) & 0xf0) != 0) {
            return false;
        }
        int addr = ip == 20 ? 12 : 8;
        int addrLen = ip == 20 ? 8 : 32;
        return Arrays.equals(x, xo + addr, xo + addr + addrLen, y, yo + addr, yo + addr + addrLen)
                && Arrays.equals(x, xo + ip, xo + ip + 4, y, yo + ip, yo + ip + 4);
    }

    private boolean tryAppend(PacketBuffer[] bufs, int g, PacketBuffer b, int shape) {
        if (!open[g] || segs[g] >= MAX_SEGMENTS) {
            return false;
        }
        PacketBuffer h = groupHead(bufs, g);
        int ip = shape & 0xff;
        int th = shape >>> 8;
        byte[] x = h.data;
        byte[] y = b.data;
        int xo = h.offset;
        int yo = b.offset;
        int payload = b.length - ip - th;
        if (th != tcph[g] || payload > size[g]) {
            return false;
        }
        if (ip == 20) {
            if (x[xo + 1] != y[yo + 1] || ((x[xo + 6] ^ y[yo + 6]) & 0xe0) != 0 || x[xo + 8] != y[yo + 8]) {
                return false;
            }
        } else if (!Arrays.equals(x, xo, xo + 4, y, yo, yo + 4) || x[xo + 7] != y[yo + 7]) {
            return false;
        }
        int xt = xo + ip;
        int yt = yo + ip;
        if (!Arrays.equals(x, xt + 8, xt + 12, y, yt + 8, yt + 12) // ack
                || !Arrays.equals(x, xt + 20, xt + th, y, yt + 20, yt + th) // options
                || TcpSegmenter.u32(y, yt + 4) != nextSeq[g]) {
            return false;
        }
        if (h.length + payload > MAX_MERGED) {
            return false;
        }
        if (mergedIn[g] < 0) {
            h = moveToMergeBuffer(h, g);
            x = h.data;
            xo = h.offset;
            xt = xo + ip;
        }
        System.arraycopy(y, yo + ip + th, x, xo + h.length, payload);
        h.length += payload;
        segs[g]++;
        nextSeq[g] = (nextSeq[g] + payload) & 0xffffffffL;
        boolean push = (y[yt + 13] & PSH) != 0;
        if (push) {
            x[xt + 13] |= PSH;
        }
        open[g] = !push && payload == size[g];
        return true;
    }

    /** Writes the virtio header in the headroom and, for a merged packet, the new lengths and checksums. */
    private void finish(PacketBuffer h, int g) {
        byte[] d = h.data;
        int off = h.offset;
        if (segs[g] == 1) {
            VirtioNetHdr.writeNone(d, off - VirtioNetHdr.LEN);
            return;
        }
        int ip = iph[g];
        int version = ip == 20 ? 4 : 6;
        if (version == 4) {
            TcpSegmenter.put16(d, off + 2, h.length);
            Checksum.fixIpv4Header(d, off);
        } else {
            TcpSegmenter.put16(d, off + 4, h.length - 40);
        }
        int l4 = h.length - ip;
        int partial = Checksum.fold(Checksum.pseudoHeader(d, off, version, Checksum.PROTO_TCP, l4));
        TcpSegmenter.put16(d, off + ip + 16, partial);
        VirtioNetHdr.write(
                d,
                off - VirtioNetHdr.LEN,
                VirtioNetHdr.F_NEEDS_CSUM,
                version == 4 ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_TCPV6,
                ip + tcph[g],
                size[g],
                ip,
                16);
    }

    /** Copies group {@code g}'s first packet into a merge buffer, where the group grows from now on. */
    private PacketBuffer moveToMergeBuffer(PacketBuffer h, int g) {
        if (mergeBuffersUsed == mergeBuffers.length) {
            mergeBuffers = Arrays.copyOf(mergeBuffers, Math.max(4, mergeBuffers.length * 2));
        }
        PacketBuffer m = mergeBuffers[mergeBuffersUsed];
        if (m == null) {
            m = PacketBuffer.unpooled(PacketBuffer.HEADROOM + MAX_MERGED + PacketBuffer.TAILROOM);
            mergeBuffers[mergeBuffersUsed] = m;
        }
        m.offset = PacketBuffer.HEADROOM;
        m.length = h.length;
        System.arraycopy(h.data, h.offset, m.data, m.offset, h.length);
        mergedIn[g] = mergeBuffersUsed++;
        return m;
    }

    private void ensure(int count) {
        if (head.length >= count) {
            return;
        }
        mergedIn = new int[count];
        head = new int[count];
        nextSeq = new long[count];
        size = new int[count];
        segs = new int[count];
        open = new boolean[count];
        iph = new int[count];
        tcph = new int[count];
    }
}
