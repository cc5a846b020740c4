package dev.wgmesh.dataplane.offload;

/**
 * Splits a TCP super-packet that a TUN with TSO hands us (a {@link VirtioNetHdr} with GSO_TCPV4/TCPV6) into
 * segments of at most {@code gso_size} payload bytes, as the kernel's {@code tcp_gso_segment} would:
 *
 * <ul>
 *   <li>each segment gets the IP and TCP headers of the super-packet; IPv4: total length, id + i and the header
 *       checksum; IPv6: payload length;
 *   <li>TCP: sequence number advanced by i · gso_size; FIN and PSH only on the last segment, CWR only on the first;
 *       the checksum is computed in full (the super-packet's field holds just the pseudo-header sum).
 * </ul>
 *
 * <p>Resumable and allocation-free: {@link #start} parses a frame, then {@link #nextSegment} writes one segment at a
 * time into the caller's (pooled) buffer, so a reader can stop when it runs out of buffers and go on with the next
 * batch. One instance per reader thread; the frame must stay untouched until the last segment is taken.
 *
 * <p>{@link #completeChecksum} finishes the partial checksum of a non-GSO frame with {@code F_NEEDS_CSUM}.
 */
public final class TcpSegmenter {
    private static final int FIN = 0x01;
    private static final int PSH = 0x08;
    private static final int CWR = 0x80;

    private byte[] in;
    private int pkt;
    private int pktLen;
    private int version;
    private int iphLen;
    private int hdrLen;
    private int gsoSize;
    private int segments;
    private int next;
    private long seq0;

    /**
     * Parses the frame {@code frame[hdrOff..hdrOff+frameLen)}: virtio header, then the IP packet.
     *
     * @return the number of segments it yields, or -1 when it is not a well-formed TCP GSO frame (drop it)
     */
    public int start(byte[] frame, int hdrOff, int frameLen) {
        segments = 0;
        next = 0;
        int type = VirtioNetHdr.gsoType(frame, hdrOff) & ~VirtioNetHdr.GSO_ECN;
        int p = hdrOff + VirtioNetHdr.LEN;
        int len = frameLen - VirtioNetHdr.LEN;
        int start = VirtioNetHdr.csumStart(frame, hdrOff);
        int size = VirtioNetHdr.gsoSize(frame, hdrOff);
        if (len < 40 || size < 1 || start + 20 > len) {
            return -1;
        }
        int v = (frame[p] & 0xff) >>> 4;
        if (type == VirtioNetHdr.GSO_TCPV4) {
            if (v != 4 || (frame[p] & 0x0f) * 4 != start || frame[p + 9] != Checksum.PROTO_TCP) {
                return -1;
            }
        } else if (type == VirtioNetHdr.GSO_TCPV6) {
            if (v != 6 || start < 40) {
                return -1;
            }
        } else {
            return -1;
        }
        int tcpHdr = ((frame[p + start + 12] & 0xff) >>> 4) * 4;
        if (tcpHdr < 20 || start + tcpHdr > len) {
            return -1;
        }
        in = frame;
        pkt = p;
        pktLen = len;
        version = v;
        iphLen = start;
        hdrLen = start + tcpHdr;
        gsoSize = size;
        seq0 = u32(frame, p + start + 4);
        int payload = len - hdrLen;
        segments = payload == 0 ? 1 : (payload + size - 1) / size;
        return segments;
    }

    public boolean hasNext() {
        return next < segments;
    }

    /** Segments not yet taken. */
    public int remaining() {
        return segments - next;
    }

    /** The length of the next segment (so the caller can check its buffer). */
    public int nextLength() {
        int start = hdrLen + next * gsoSize;
        return hdrLen + Math.min(gsoSize, pktLen - start);
    }

    /**
     * Writes the next segment as a complete IP packet at {@code out[outOff..]}.
     *
     * @return its length ({@link #nextLength()})
     */
    public int nextSegment(byte[] out, int outOff) {
        int i = next++;
        int dataAt = hdrLen + i * gsoSize;
        int dataLen = Math.min(gsoSize, pktLen - dataAt);
        int total = hdrLen + dataLen;
        System.arraycopy(in, pkt, out, outOff, hdrLen);
        System.arraycopy(in, pkt + dataAt, out, outOff + hdrLen, dataLen);
        if (version == 4) {
            put16(out, outOff + 2, total);
            put16(out, outOff + 4, u16(out, outOff + 4) + i);
            Checksum.fixIpv4Header(out, outOff);
        } else {
            put16(out, outOff + 4, total - 40);
        }
        int tcp = outOff + iphLen;
        put32(out, tcp + 4, seq0 + (long) i * gsoSize);
        int flags = out[tcp + 13] & 0xff;
        if (i != segments - 1) {
            flags &= ~(FIN | PSH);
        }
        if (i != 0) {
            flags &= ~CWR;
        }
        out[tcp + 13] = (byte) flags;
        Checksum.fixTcp(out, outOff, total, version, iphLen);
        return total;
    }

    /**
     * Completes a partial checksum ({@code F_NEEDS_CSUM} without GSO) of the packet {@code b[pktOff..pktOff+len)}:
     * the field at {@code csumStart + csumOffset} holds the pseudo-header sum; the sum over the rest is added.
     *
     * @return false when the offsets do not fit the packet (drop it)
     */
    public static boolean completeChecksum(byte[] b, int pktOff, int len, int csumStart, int csumOffset) {
        int field = csumStart + csumOffset;
        if (csumStart >= len || field + 2 > len) {
            return false;
        }
        int at = pktOff + field;
        int c = Checksum.finish(Checksum.sum(b, pktOff + csumStart, len - csumStart, 0));
        if (c == 0 && csumOffset == 6) {
            c = 0xffff; // UDP: zero means "no checksum" (RFC 768)
        }
        b[at] = (byte) (c >>> 8);
        b[at + 1] = (byte) c;
        return true;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 16) & 0xffff);
        put16(b, off + 2, (int) v & 0xffff);
    }
}
