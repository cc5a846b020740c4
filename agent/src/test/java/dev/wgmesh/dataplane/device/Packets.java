package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.config.IpPrefix;

/** Builds minimal IPv4/IPv6 packets (header + payload; checksums are not checked by WireGuard). */
final class Packets {
    private Packets() {}

    static byte[] ipv4(String src, String dst, byte[] payload) {
        byte[] p = new byte[20 + payload.length];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[8] = 64;
        p[9] = 17;
        System.arraycopy(IpPrefix.parseAddress(src), 0, p, 12, 4);
        System.arraycopy(IpPrefix.parseAddress(dst), 0, p, 16, 4);
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    static byte[] ipv6(String src, String dst, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[4] = (byte) (payload.length >>> 8);
        p[5] = (byte) payload.length;
        p[6] = 17;
        p[7] = 64;
        System.arraycopy(IpPrefix.parseAddress(src), 0, p, 8, 16);
        System.arraycopy(IpPrefix.parseAddress(dst), 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    static byte[] payload(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
