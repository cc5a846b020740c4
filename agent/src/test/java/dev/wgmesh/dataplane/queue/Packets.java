package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;

/** Builds inner IP packets for queue and pipeline tests. */
public final class Packets {
    public static final int NOT_ECT = 0;
    public static final int ECT0 = 2;

    private Packets() {}

    /** Writes an IPv4/UDP packet of {@code len} bytes (≥ 28) from 10.0.0.1:{@code srcPort} to 10.0.0.2:53. */
    public static void ipv4Udp(PacketBuffer b, int srcPort, int len, int ecn) {
        byte[] d = b.data;
        int o = b.offset;
        java.util.Arrays.fill(d, o, o + 28, (byte) 0);
        d[o] = 0x45;
        d[o + 1] = (byte) (0x28 | ecn); // DSCP AF11 plus the ECN bits
        d[o + 2] = (byte) (len >>> 8);
        d[o + 3] = (byte) len;
        d[o + 8] = 64;
        d[o + 9] = 17;
        d[o + 12] = 10;
        d[o + 15] = 1;
        d[o + 16] = 10;
        d[o + 19] = 2;
        int check = ipv4Checksum(d, o, 20);
        d[o + 10] = (byte) (check >>> 8);
        d[o + 11] = (byte) check;
        d[o + 20] = (byte) (srcPort >>> 8);
        d[o + 21] = (byte) srcPort;
        d[o + 23] = 53;
        b.length = len;
    }

    /** The one's-complement header checksum over {@code len} bytes (0 when a header with its checksum is valid). */
    public static int ipv4Checksum(byte[] d, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((d[off + i] & 0xff) << 8) | (d[off + i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    /** A pooled IPv4/UDP packet already classified with {@code classifier}. */
    public static PacketBuffer udp(BufferPool pool, FlowClassifier classifier, int srcPort, int len, int ecn) {
        PacketBuffer b = pool.acquire();
        if (b == null) {
            throw new IllegalStateException("test pool exhausted");
        }
        ipv4Udp(b, srcPort, len, ecn);
        b.flowHash = classifier.hash(b.data, b.offset, b.length);
        return b;
    }

    /** Source port of an IPv4/UDP packet written by {@link #ipv4Udp}. */
    public static int srcPort(PacketBuffer b) {
        return ((b.data[b.offset + 20] & 0xff) << 8) | (b.data[b.offset + 21] & 0xff);
    }
}
