package dev.wgmesh.dataplane.offload;

/**
 * {@code struct virtio_net_hdr} (include/uapi/linux/virtio_net.h), the 10 bytes in front of every frame of a TUN
 * opened with {@code IFF_VNET_HDR}. Multi-byte fields are little-endian (the TUN default on little-endian hosts;
 * we never set {@code TUNSETVNETBE}).
 *
 * <pre>
 *   0 flags (u8)       NEEDS_CSUM: the checksum at csum_start + csum_offset holds only the pseudo-header sum
 *   1 gso_type (u8)    NONE, TCPV4, TCPV6 (| ECN)
 *   2 hdr_len (u16)    bytes of IP + TCP headers (the kernel's value is a hint; we compute it)
 *   4 gso_size (u16)   payload bytes per segment (the MSS)
 *   6 csum_start (u16) where checksumming starts: the transport header
 *   8 csum_offset (u16) the checksum field's offset from csum_start (16 for TCP, 6 for UDP)
 * </pre>
 */
public final class VirtioNetHdr {
    public static final int LEN = 10;
    public static final int F_NEEDS_CSUM = 1;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_ECN = 0x80;

    private VirtioNetHdr() {}

    public static int flags(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int gsoType(byte[] b, int off) {
        return b[off + 1] & 0xff;
    }

    public static int gsoSize(byte[] b, int off) {
        return u16(b, off + 4);
    }

    public static int csumStart(byte[] b, int off) {
        return u16(b, off + 6);
    }

    public static int csumOffset(byte[] b, int off) {
        return u16(b, off + 8);
    }

    /** Writes a header with no offload (GSO_NONE, no checksum work left): the packet is complete. */
    public static void writeNone(byte[] b, int off) {
        for (int i = 0; i < LEN; i++) {
            b[off + i] = 0;
        }
    }

    public static void write(
            byte[] b, int off, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        b[off] = (byte) flags;
        b[off + 1] = (byte) gsoType;
        put16(b, off + 2, hdrLen);
        put16(b, off + 4, gsoSize);
        put16(b, off + 6, csumStart);
        put16(b, off + 8, csumOffset);
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }
}
