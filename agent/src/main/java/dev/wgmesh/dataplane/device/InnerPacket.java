package dev.wgmesh.dataplane.device;

/**
 * The few IPv4/IPv6 header fields the device needs, read in place (RFC 791 §3.1, RFC 8200 §3):
 *
 * <pre>
 *   IPv4: version(4) ihl(4) | tos | total length (16, at 2) | ... | source (at 12) | destination (at 16)
 *   IPv6: version(4) ...    | payload length (16, at 4) | next | hop | source (at 8) | destination (at 24)
 * </pre>
 */
final class InnerPacket {
    static final int V4_HEADER = 20;
    static final int V6_HEADER = 40;

    private InnerPacket() {}

    /** 4 or 6 from the version nibble, 0 when {@code len} is too short for that version's header. */
    static int version(byte[] b, int off, int len) {
        if (len < 1) {
            return 0;
        }
        int v = (b[off] & 0xff) >>> 4;
        if (v == 4 && len >= V4_HEADER) {
            return 4;
        }
        if (v == 6 && len >= V6_HEADER) {
            return 6;
        }
        return 0;
    }

    /** Offset of the destination address relative to the packet start. */
    static int destinationOffset(int version) {
        return version == 4 ? 16 : 24;
    }

    static int sourceOffset(int version) {
        return version == 4 ? 12 : 8;
    }

    static int addressLength(int version) {
        return version == 4 ? 4 : 16;
    }

    /** The packet length its header claims (IPv4 total length, IPv6 40 + payload length). */
    static int claimedLength(byte[] b, int off, int version) {
        if (version == 4) {
            return ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        }
        return V6_HEADER + (((b[off + 4] & 0xff) << 8) | (b[off + 5] & 0xff));
    }
}
