package dev.wgmesh.dataplane.linux;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.config.IpPrefix;

/** Builds ICMP echo requests (IPv4 and IPv6) and UDP datagrams, and recognises the kernel's replies, for TUN tests. */
final class IcmpPackets {
    private IcmpPackets() {}

    /** An IPv4 UDP datagram with 8 bytes of payload, valid IP checksum and no UDP checksum, at the headroom. */
    static PacketBuffer udpV4(String src, int sport, String dst, int dport) {
        PacketBuffer b = PacketBuffer.unpooled(2048 + PacketBuffer.HEADROOM);
        b.offset = PacketBuffer.HEADROOM;
        b.length = 36;
        byte[] p = b.data;
        int o = b.offset;
        p[o] = 0x45;
        put16(p, o + 2, 36);
        p[o + 8] = 64;
        p[o + 9] = 17;
        System.arraycopy(IpPrefix.parseAddress(src), 0, p, o + 12, 4);
        System.arraycopy(IpPrefix.parseAddress(dst), 0, p, o + 16, 4);
        put16(p, o + 10, checksum(p, o, 20, 0));
        put16(p, o + 20, sport);
        put16(p, o + 22, dport);
        put16(p, o + 24, 16);
        return b;
    }

    static byte[] echoV4(String src, String dst, int id, int seq) {
        byte[] p = new byte[20 + 8 + 16];
        p[0] = 0x45;
        put16(p, 2, p.length);
        p[8] = 64; // TTL
        p[9] = 1; // ICMP
        System.arraycopy(IpPrefix.parseAddress(src), 0, p, 12, 4);
        System.arraycopy(IpPrefix.parseAddress(dst), 0, p, 16, 4);
        put16(p, 10, checksum(p, 0, 20, 0));
        p[20] = 8; // echo request
        put16(p, 24, id);
        put16(p, 26, seq);
        for (int i = 28; i < p.length; i++) {
            p[i] = (byte) i;
        }
        put16(p, 22, checksum(p, 20, p.length - 20, 0));
        return p;
    }

    static byte[] echoV6(String src, String dst, int id, int seq) {
        int icmpLen = 8 + 16;
        byte[] p = new byte[40 + icmpLen];
        p[0] = 0x60;
        put16(p, 4, icmpLen);
        p[6] = 58; // ICMPv6
        p[7] = 64;
        System.arraycopy(IpPrefix.parseAddress(src), 0, p, 8, 16);
        System.arraycopy(IpPrefix.parseAddress(dst), 0, p, 24, 16);
        p[40] = (byte) 128; // echo request
        put16(p, 44, id);
        put16(p, 46, seq);
        for (int i = 48; i < p.length; i++) {
            p[i] = (byte) i;
        }
        // RFC 8200 §8.1 pseudo-header: src, dst, upper-layer length, next header.
        long sum = sumWords(p, 8, 32) + icmpLen + 58;
        put16(p, 42, checksum(p, 40, icmpLen, sum));
        return p;
    }

    /** True when {@code p} is an echo reply (v4 type 0 / v6 type 129) with this id and sequence. */
    static boolean isEchoReply(byte[] p, int len, int id, int seq) {
        if (len >= 28 && (p[0] & 0xf0) == 0x40 && p[9] == 1) {
            int ihl = (p[0] & 0x0f) * 4;
            return p[ihl] == 0 && get16(p, ihl + 4) == id && get16(p, ihl + 6) == seq;
        }
        if (len >= 48 && (p[0] & 0xf0) == 0x60 && p[6] == 58) {
            return (p[40] & 0xff) == 129 && get16(p, 44) == id && get16(p, 46) == seq;
        }
        return false;
    }

    static int get16(byte[] p, int off) {
        return ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
    }

    static void put16(byte[] p, int off, int v) {
        p[off] = (byte) (v >>> 8);
        p[off + 1] = (byte) v;
    }

    private static long sumWords(byte[] p, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += get16(p, off + i);
        }
        if ((len & 1) != 0) {
            sum += (p[off + len - 1] & 0xff) << 8;
        }
        return sum;
    }

    /** RFC 1071 Internet checksum of {@code p[off..off+len)} plus {@code initial}. */
    static int checksum(byte[] p, int off, int len, long initial) {
        long sum = initial + sumWords(p, off, len);
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
