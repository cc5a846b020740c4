package dev.wgmesh.dataplane.device;

/** ICMPv4 echo and UDP packets with valid IPv4 and ICMP checksums (RFC 791, RFC 792), for tests against a real stack. */
final class Icmp {
    private Icmp() {}

    static byte[] echo(String src, String dst, int type, int seq, byte[] data) {
        byte[] icmp = new byte[8 + data.length];
        icmp[0] = (byte) type;
        icmp[4] = 0x12;
        icmp[5] = 0x34;
        icmp[6] = (byte) (seq >>> 8);
        icmp[7] = (byte) seq;
        System.arraycopy(data, 0, icmp, 8, data.length);
        int c = checksum(icmp, 0, icmp.length);
        icmp[2] = (byte) (c >>> 8);
        icmp[3] = (byte) c;
        byte[] p = Packets.ipv4(src, dst, icmp);
        p[9] = 1; // ICMP
        p[4] = 0x12; // identification
        int h = checksum(p, 0, 20);
        p[10] = (byte) (h >>> 8);
        p[11] = (byte) h;
        return p;
    }

    /** The echo reply a host would send for {@code request}. */
    static byte[] replyTo(byte[] request) {
        int ihl = (request[0] & 0x0f) * 4;
        byte[] p = request.clone();
        System.arraycopy(request, 12, p, 16, 4);
        System.arraycopy(request, 16, p, 12, 4);
        p[10] = 0;
        p[11] = 0;
        int h = checksum(p, 0, ihl);
        p[10] = (byte) (h >>> 8);
        p[11] = (byte) h;
        p[ihl] = 0; // echo reply
        p[ihl + 2] = 0;
        p[ihl + 3] = 0;
        int c = checksum(p, ihl, p.length - ihl);
        p[ihl + 2] = (byte) (c >>> 8);
        p[ihl + 3] = (byte) c;
        return p;
    }

    /** A UDP reply (IPv4, UDP checksum 0 = none) from the request's destination back to its source. */
    static byte[] udpReplyTo(byte[] request, byte[] payload) {
        byte[] src = java.util.Arrays.copyOfRange(request, 16, 20);
        byte[] dst = java.util.Arrays.copyOfRange(request, 12, 16);
        byte[] udp = new byte[8 + payload.length];
        udp[0] = request[22];
        udp[1] = request[23];
        udp[2] = request[20];
        udp[3] = request[21];
        udp[4] = (byte) (udp.length >>> 8);
        udp[5] = (byte) udp.length;
        System.arraycopy(payload, 0, udp, 8, payload.length);
        byte[] p = Packets.ipv4(
                dev.wgmesh.dataplane.config.IpPrefix.formatAddress(src),
                dev.wgmesh.dataplane.config.IpPrefix.formatAddress(dst),
                udp);
        int h = checksum(p, 0, 20);
        p[10] = (byte) (h >>> 8);
        p[11] = (byte) h;
        return p;
    }

    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
