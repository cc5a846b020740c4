package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EcnTest {
    @Test
    void marksEcnCapableIpv4AndKeepsTheHeaderChecksumValid() {
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            PacketBuffer b = PacketBuffer.unpooled(256);
            Packets.ipv4Udp(b, rnd.nextInt(65536), 28 + rnd.nextInt(200), 1 + rnd.nextInt(2)); // ECT(1) or ECT(0)
            for (int k = 4; k < 20; k++) { // random id, flags, TTL, addresses
                if (k != 10 && k != 11) {
                    b.data[b.offset + k] = (byte) rnd.nextInt(256);
                }
            }
            b.data[b.offset + 10] = 0;
            b.data[b.offset + 11] = 0;
            int check = Packets.ipv4Checksum(b.data, b.offset, 20);
            b.data[b.offset + 10] = (byte) (check >>> 8);
            b.data[b.offset + 11] = (byte) check;

            assertThat(Ecn.markCe(b.data, b.offset, b.length)).isTrue();
            assertThat(b.data[b.offset + 1] & 3).isEqualTo(3);
            assertThat(b.data[b.offset + 1] & 0xfc).isEqualTo(0x28); // DSCP untouched
            assertThat(Packets.ipv4Checksum(b.data, b.offset, 20)).isZero();
        }
    }

    @Test
    void leavesNotEctIpv4Alone() {
        PacketBuffer b = PacketBuffer.unpooled(256);
        Packets.ipv4Udp(b, 1000, 100, Packets.NOT_ECT);
        byte[] before = b.data.clone();
        assertThat(Ecn.markCe(b.data, b.offset, b.length)).isFalse();
        assertThat(b.data).isEqualTo(before);
    }

    @Test
    void marksIpv6TrafficClassOnly() {
        byte[] d = new byte[60];
        d[0] = 0x6b; // version 6, traffic class high nibble 0xb
        d[1] = (byte) 0x1f; // traffic class low nibble 0x1 = ECT(1), flow label 0xf....
        d[2] = 0x12;
        d[3] = 0x34;
        assertThat(Ecn.markCe(d, 0, 60)).isTrue();
        assertThat(d[0]).isEqualTo((byte) 0x6b);
        assertThat(d[1]).isEqualTo((byte) 0x3f);
        assertThat(d[2]).isEqualTo((byte) 0x12);

        byte[] notEct = new byte[60];
        notEct[0] = 0x60;
        assertThat(Ecn.markCe(notEct, 0, 60)).isFalse();
        assertThat(notEct[1]).isZero();
    }

    @Test
    void rejectsTruncatedHeaders() {
        byte[] d = new byte[19];
        d[0] = 0x45;
        d[1] = 2;
        assertThat(Ecn.markCe(d, 0, 19)).isFalse();
        byte[] v6 = new byte[39];
        v6[0] = 0x60;
        v6[1] = 0x20;
        assertThat(Ecn.markCe(v6, 0, 39)).isFalse();
        assertThat(v6[1]).isEqualTo((byte) 0x20);
    }
}
