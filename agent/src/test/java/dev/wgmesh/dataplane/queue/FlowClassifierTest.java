package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowClassifierTest {
    private final FlowClassifier c = new FlowClassifier(42);

    private int udp4(int srcPort) {
        PacketBuffer b = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(b, srcPort, 100, 0);
        return c.hash(b.data, b.offset, b.length);
    }

    @Test
    void sameFiveTupleSameHashAndPortsMatter() {
        assertThat(udp4(1234)).isEqualTo(udp4(1234));
        Set<Integer> hashes = new HashSet<>();
        for (int p = 0; p < 1000; p++) {
            hashes.add(udp4(p));
        }
        assertThat(hashes).hasSize(1000);
    }

    @Test
    void payloadTtlAndLengthDoNotChangeTheFlow() {
        PacketBuffer a = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(a, 5555, 100, 0);
        PacketBuffer b = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(b, 5555, 200, 2);
        b.data[b.offset + 8] = 3; // TTL
        b.data[b.offset + 60] = 9; // payload
        assertThat(c.hash(a.data, a.offset, a.length)).isEqualTo(c.hash(b.data, b.offset, b.length));
    }

    @Test
    void seedChangesTheHash() {
        PacketBuffer b = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(b, 5555, 100, 0);
        assertThat(new FlowClassifier(1).hash(b.data, b.offset, b.length))
                .isNotEqualTo(new FlowClassifier(2).hash(b.data, b.offset, b.length));
    }

    @Test
    void laterFragmentsAndIcmpHashByAddressesAndProtocol() {
        PacketBuffer a = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(a, 1111, 100, 0);
        PacketBuffer frag = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(frag, 2222, 100, 0);
        frag.data[frag.offset + 7] = 10; // fragment offset 80: no ports in this packet
        PacketBuffer frag2 = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(frag2, 3333, 100, 0);
        frag2.data[frag2.offset + 7] = 20;
        assertThat(c.hash(frag.data, frag.offset, frag.length))
                .isEqualTo(c.hash(frag2.data, frag2.offset, frag2.length))
                .isNotEqualTo(c.hash(a.data, a.offset, a.length));
        frag.data[frag.offset + 9] = 1; // ICMP
        frag.data[frag.offset + 7] = 0;
        frag2.data[frag2.offset + 9] = 1;
        frag2.data[frag2.offset + 7] = 0;
        assertThat(c.hash(frag.data, frag.offset, frag.length))
                .isEqualTo(c.hash(frag2.data, frag2.offset, frag2.length));
    }

    @Test
    void ipv6PortsFoundPastExtensionHeaders() {
        byte[] p1 = ipv6Udp(1000, true);
        byte[] p2 = ipv6Udp(2000, true);
        byte[] p3 = ipv6Udp(1000, false);
        assertThat(c.hash(p1, 0, p1.length)).isNotEqualTo(c.hash(p2, 0, p2.length));
        byte[] p4 = ipv6Udp(1000, true);
        p4[60] = 7; // payload
        assertThat(c.hash(p4, 0, p4.length)).isEqualTo(c.hash(p1, 0, p1.length));
        byte[] p5 = ipv6Udp(2000, false);
        assertThat(c.hash(p3, 0, p3.length)).isNotEqualTo(c.hash(p5, 0, p5.length)); // ports read without extensions
    }

    /** IPv6 from 2001:db8::1 to 2001:db8::2, UDP, optionally behind an 8-byte destination-options header. */
    private static byte[] ipv6Udp(int srcPort, boolean destOpts) {
        int ext = destOpts ? 8 : 0;
        byte[] d = new byte[40 + ext + 8 + 20];
        d[0] = 0x60;
        d[6] = (byte) (destOpts ? 60 : 17);
        d[7] = 64;
        d[8] = 0x20;
        d[9] = 0x01;
        d[10] = 0x0d;
        d[11] = (byte) 0xb8;
        System.arraycopy(d, 8, d, 24, 4);
        d[23] = 1;
        d[39] = 2;
        if (destOpts) {
            d[40] = 17;
            d[41] = 0;
        }
        d[40 + ext] = (byte) (srcPort >>> 8);
        d[41 + ext] = (byte) srcPort;
        d[43 + ext] = 53;
        return d;
    }

    @Test
    void spreadsFlowsEvenlyOverQueues() {
        int[] buckets = new int[64];
        for (int p = 0; p < 64_000; p++) {
            int h = udp4(p);
            buckets[(int) (((h & 0xffff_ffffL) * 64) >>> 32)]++;
        }
        for (int n : buckets) {
            assertThat(n).isBetween(850, 1150); // 1000 expected, ±15%
        }
    }

    @Test
    void malformedInputDoesNotThrow() {
        byte[] junk = {0x45, 0, 0};
        c.hash(junk, 0, 3);
        c.hash(new byte[0], 0, 0);
        byte[] badIhl = new byte[24];
        badIhl[0] = 0x4f; // IHL 60 > length
        badIhl[9] = 6;
        c.hash(badIhl, 0, 24);
        byte[] v6 = new byte[48];
        v6[0] = 0x60;
        v6[6] = 0; // hop-by-hop with a length pointing past the end
        v6[41] = (byte) 200;
        c.hash(v6, 0, 48);
    }
}
