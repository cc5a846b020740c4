package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wgmesh.dataplane.io.Endpoint;
import java.lang.foreign.MemorySegment;

/**
 * Socket addresses and control messages of the dual-stack UDP socket, read and written in place (no allocation):
 * the peer's {@code sockaddr_in6} (IPv4 peers v4-mapped), the sticky source ({@code IP_PKTINFO} /
 * {@code IPV6_PKTINFO}), and the UDP offload cmsgs ({@code UDP_SEGMENT} on send, {@code UDP_GRO} on receive).
 *
 * <pre>
 *   cmsghdr: len (8) | level (4) | type (4) | data, padded to 8
 * </pre>
 */
final class UdpCmsg {
    private UdpCmsg() {}

    /** sockaddr_in6 at {@code sa[off..]} → endpoint; v4-mapped (::ffff:a.b.c.d) becomes a 4-byte IPv4 address. */
    static void readPeer(MemorySegment sa, long off, byte[] a, Endpoint from) {
        int port = ((sa.get(JAVA_BYTE, off + 2) & 0xff) << 8) | (sa.get(JAVA_BYTE, off + 3) & 0xff);
        MemorySegment.copy(sa, JAVA_BYTE, off + 8, a, 0, 16);
        if (isV4Mapped(a)) {
            from.set(a, 12, 4, port);
        } else {
            from.set(a, 0, 16, port);
        }
    }

    /**
     * Reads the control messages at {@code m[base..base+used)}: the local address the datagram arrived on becomes
     * {@code from}'s sticky source (IP_PKTINFO wins over IPV6_PKTINFO for IPv4), and a UDP_GRO cmsg gives the
     * segment size of a coalesced receive.
     *
     * @return the GRO segment size, or 0 when the datagram was not coalesced
     */
    static int readControl(MemorySegment m, long base, long used, byte[] a, Endpoint from) {
        long pos = 0;
        boolean v4 = false;
        int gso = 0;
        from.clearSource();
        while (pos + Libc.CMSG_HDR <= used) {
            long c = base + pos;
            long cmsgLen = m.get(JAVA_LONG, c);
            int level = m.get(JAVA_INT, c + 8);
            int type = m.get(JAVA_INT, c + 12);
            if (cmsgLen < Libc.CMSG_HDR) {
                break;
            }
            if (level == Libc.IPPROTO_IP && type == Libc.IP_PKTINFO) {
                // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }:
                // spec_dst is the local address a reply should come from.
                MemorySegment.copy(m, JAVA_BYTE, c + Libc.CMSG_HDR + 4, a, 0, 4);
                from.setSource(a, 0, 4, m.get(JAVA_INT, c + Libc.CMSG_HDR));
                v4 = true;
            } else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO && !v4) {
                // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }
                MemorySegment.copy(m, JAVA_BYTE, c + Libc.CMSG_HDR, a, 0, 16);
                int ifindex = m.get(JAVA_INT, c + Libc.CMSG_HDR + 16);
                if (isV4Mapped(a)) {
                    from.setSource(a, 12, 4, ifindex);
                } else {
                    from.setSource(a, 0, 16, ifindex);
                }
            } else if (level == Libc.SOL_UDP && type == Libc.UDP_GRO) {
                gso = m.get(JAVA_INT, c + Libc.CMSG_HDR);
            }
            pos += (cmsgLen + 7) & ~7L;
        }
        return gso;
    }

    /** Writes {@code to} as a sockaddr_in6 at {@code sa[off..off+28)} (IPv4 v4-mapped). */
    static void writeName(MemorySegment sa, long off, Endpoint to) {
        sa.set(JAVA_LONG, off, 0L);
        sa.set(JAVA_LONG, off + 8, 0L);
        sa.set(JAVA_LONG, off + 16, 0L);
        sa.set(JAVA_INT, off + 24, 0);
        sa.set(JAVA_SHORT, off, (short) Libc.AF_INET6);
        sa.set(JAVA_BYTE, off + 2, (byte) (to.port() >>> 8));
        sa.set(JAVA_BYTE, off + 3, (byte) to.port());
        if (to.isIpv6()) {
            MemorySegment.copy(to.addressBytes(), 0, sa, JAVA_BYTE, off + 8, 16);
        } else {
            sa.set(JAVA_BYTE, off + 18, (byte) 0xff);
            sa.set(JAVA_BYTE, off + 19, (byte) 0xff);
            MemorySegment.copy(to.addressBytes(), 0, sa, JAVA_BYTE, off + 20, 4);
        }
    }

    /** True when {@code to}'s sticky source can be used for a datagram to it (same family). */
    static boolean sticky(Endpoint to) {
        return to.sourceLength() != 0 && to.sourceLength() == to.addressLength();
    }

    /**
     * Writes the send cmsgs at {@code m[c..]}: the sticky source when {@code sticky}, and UDP_SEGMENT when {@code
     * segment > 0}.
     *
     * @return the control length (0: none)
     */
    static long writeControl(MemorySegment m, long c, Endpoint to, boolean sticky, int segment) {
        long at = c;
        if (sticky) {
            if (to.isIpv6()) {
                // in6_pktinfo: the source address and the interface it was seen on (needed for link-local).
                m.set(JAVA_LONG, at, Libc.CMSG_HDR + 20);
                m.set(JAVA_INT, at + 8, Libc.IPPROTO_IPV6);
                m.set(JAVA_INT, at + 12, Libc.IPV6_PKTINFO);
                MemorySegment.copy(to.sourceBytes(), 0, m, JAVA_BYTE, at + Libc.CMSG_HDR, 16);
                m.set(JAVA_INT, at + Libc.CMSG_HDR + 16, to.sourceIfindex());
                at += Libc.cmsgSpace(20);
            } else {
                // in_pktinfo with ifindex 0: choose the source address only, let routing pick the interface.
                m.set(JAVA_LONG, at, Libc.CMSG_HDR + 12);
                m.set(JAVA_INT, at + 8, Libc.IPPROTO_IP);
                m.set(JAVA_INT, at + 12, Libc.IP_PKTINFO);
                m.set(JAVA_INT, at + Libc.CMSG_HDR, 0);
                MemorySegment.copy(to.sourceBytes(), 0, m, JAVA_BYTE, at + Libc.CMSG_HDR + 4, 4);
                m.set(JAVA_INT, at + Libc.CMSG_HDR + 8, 0);
                at += Libc.cmsgSpace(12);
            }
        }
        if (segment > 0) {
            m.set(JAVA_LONG, at, Libc.CMSG_HDR + 2);
            m.set(JAVA_INT, at + 8, Libc.SOL_UDP);
            m.set(JAVA_INT, at + 12, Libc.UDP_SEGMENT);
            m.set(JAVA_SHORT, at + Libc.CMSG_HDR, (short) segment);
            at += Libc.cmsgSpace(2);
        }
        return at - c;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
