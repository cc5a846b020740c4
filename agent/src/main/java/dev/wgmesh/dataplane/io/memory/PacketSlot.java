package dev.wgmesh.dataplane.io.memory;

/** One queued packet of the in-memory fakes: a reusable buffer plus the UDP addressing it travelled with. */
final class PacketSlot {
    byte[] data = new byte[2048];
    int length;
    final byte[] srcAddr = new byte[16];
    int srcAddrLen;
    int srcPort;
    final byte[] dstAddr = new byte[16];
    int dstAddrLen;

    void fill(byte[] buf, int off, int len) {
        if (data.length < len) {
            data = new byte[Math.max(len, data.length * 2)];
        }
        System.arraycopy(buf, off, data, 0, len);
        length = len;
    }

    void copyFrom(PacketSlot other) {
        fill(other.data, 0, other.length);
        System.arraycopy(other.srcAddr, 0, srcAddr, 0, 16);
        srcAddrLen = other.srcAddrLen;
        srcPort = other.srcPort;
        System.arraycopy(other.dstAddr, 0, dstAddr, 0, 16);
        dstAddrLen = other.dstAddrLen;
    }
}
