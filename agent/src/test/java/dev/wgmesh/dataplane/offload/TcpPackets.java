package dev.wgmesh.dataplane.offload;

import java.nio.ByteBuffer;
import java.util.Random;

/** Hand-built TCP/IPv4 and TCP/IPv6 packets, and an independent checksum (plain 16-bit word loop). */
final class TcpPackets {
    static final int ACK = 0x10;
    static final int PSH = 0x08;
    static final int FIN = 0x01;
    static final int CWR = 0x80;

    private TcpPackets() {}

    /**
     * A TCP packet with a 12-byte timestamp option: IPv4 (20-byte header, DF, TTL 64, id {@code id}) or IPv6.
     * Checksums valid unless {@code partial}, in which case the TCP checksum holds only the pseudo-header sum (what
     * the kernel hands over with NEEDS_CSUM).
     */
    static byte[] tcp(int version, long seq, int flags, byte[] payload, int id, boolean partial) {
        int ip = version == 4 ? 20 : 40;
        int th = 32;
        int len = ip + th + payload.length;
        ByteBuffer b = ByteBuffer.allocate(len);
        if (version == 4) {
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) len)
                    .putShort((short) id)
                    .putShort((short) 0x4000);
            b.put((byte) 64).put((byte) 6).putShort((short) 0);
            b.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        } else {
            b.putInt(0x60000000).putShort((short) (len - 40)).put((byte) 6).put((byte) 64);
            byte[] a = new byte[16];
            a[0] = (byte) 0xfd;
            a[15] = 1;
            b.put(a);
            a[15] = 2;
            b.put(a);
        }
        b.putShort((short) 40000).putShort((short) 5201).putInt((int) seq).putInt(0x11223344);
        b.put((byte) ((th / 4) << 4))
                .put((byte) flags)
                .putShort((short) 502)
                .putShort((short) 0)
                .putShort((short) 0);
        b.put(new byte[] {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9}); // NOP NOP timestamps
        b.put(payload);
        byte[] p = b.array();
        if (version == 4) {
            put16(p, 10, ~sum(p, 0, 20, 0) & 0xffff);
        }
        long pseudo = pseudo(p, version, len - ip);
        if (partial) {
            put16(p, ip + 16, fold(pseudo));
        } else {
            put16(p, ip + 16, ~sum(p, ip, len - ip, pseudo) & 0xffff);
        }
        return p;
    }

    static byte[] payload(int n, long seed) {
        byte[] p = new byte[n];
        new Random(seed).nextBytes(p);
        return p;
    }

    static long pseudo(byte[] p, int version, int l4) {
        return version == 4 ? sum(p, 12, 8, 0) + 6 + l4 : sum(p, 8, 32, 0) + 6 + l4;
    }

    /** Independent RFC 1071 sum, 16 bits at a time, folded. */
    static int sum(byte[] p, int off, int len, long acc) {
        for (int i = 0; i < len; i += 2) {
            int hi = p[off + i] & 0xff;
            int lo = i + 1 < len ? p[off + i + 1] & 0xff : 0;
            acc += (hi << 8) | lo;
        }
        return fold(acc);
    }

    static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    static boolean tcpChecksumOk(byte[] p, int off, int len) {
        int version = (p[off] & 0xff) >>> 4;
        int ip = version == 4 ? 20 : 40;
        byte[] c = java.util.Arrays.copyOfRange(p, off, off + len);
        return sum(c, ip, len - ip, pseudo(c, version, len - ip)) == 0xffff;
    }

    static boolean ipv4ChecksumOk(byte[] p, int off) {
        return sum(p, off, 20, 0) == 0xffff;
    }

    static int u16(byte[] p, int off) {
        return ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
    }

    static long u32(byte[] p, int off) {
        return ((long) u16(p, off) << 16) | u16(p, off + 2);
    }

    static void put16(byte[] p, int off, int v) {
        p[off] = (byte) (v >>> 8);
        p[off + 1] = (byte) v;
    }
}
