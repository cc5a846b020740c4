package dev.wgmesh.dataplane.offload;

import static dev.wgmesh.dataplane.offload.TcpPackets.ACK;
import static dev.wgmesh.dataplane.offload.TcpPackets.CWR;
import static dev.wgmesh.dataplane.offload.TcpPackets.FIN;
import static dev.wgmesh.dataplane.offload.TcpPackets.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TcpSegmenterTest {
    /** A super-packet as the TUN hands it over: virtio header, then the packet with a partial TCP checksum. */
    private static byte[] frame(int version, int payload, int mss, int flags) {
        byte[] pkt = TcpPackets.tcp(version, 0xfffff000L, flags, TcpPackets.payload(payload, payload), 0xfffe, true);
        byte[] f = new byte[VirtioNetHdr.LEN + pkt.length];
        int ip = version == 4 ? 20 : 40;
        VirtioNetHdr.write(
                f,
                0,
                VirtioNetHdr.F_NEEDS_CSUM,
                version == 4 ? VirtioNetHdr.GSO_TCPV4 : VirtioNetHdr.GSO_TCPV6,
                ip + 32,
                mss,
                ip,
                16);
        System.arraycopy(pkt, 0, f, VirtioNetHdr.LEN, pkt.length);
        return f;
    }

    @ParameterizedTest
    @CsvSource({"4, 10000, 1380", "6, 10000, 1368", "4, 2760, 1380", "6, 1, 1368", "4, 65483, 1448", "6, 4097, 536"})
    void segmentsCarryTheRightHeadersAndValidChecksums(int version, int payload, int mss) {
        byte[] f = frame(version, payload, mss, ACK | PSH | FIN | CWR);
        byte[] original = Arrays.copyOfRange(f, VirtioNetHdr.LEN, f.length);
        int ip = version == 4 ? 20 : 40;
        int hdr = ip + 32;
        TcpSegmenter s = new TcpSegmenter();
        int n = s.start(f, 0, f.length);
        assertThat(n).isEqualTo((payload + mss - 1) / mss);
        byte[] out = new byte[70000];
        byte[] joined = new byte[payload];
        for (int i = 0; i < n; i++) {
            int expectLen = hdr + Math.min(mss, payload - i * mss);
            assertThat(s.nextLength()).isEqualTo(expectLen);
            int len = s.nextSegment(out, 16);
            assertThat(len).isEqualTo(expectLen);
            assertThat(TcpPackets.tcpChecksumOk(out, 16, len))
                    .as("tcp checksum of segment %d", i)
                    .isTrue();
            if (version == 4) {
                assertThat(TcpPackets.u16(out, 18)).isEqualTo(len);
                assertThat(TcpPackets.u16(out, 20)).isEqualTo((0xfffe + i) & 0xffff);
                assertThat(TcpPackets.ipv4ChecksumOk(out, 16)).isTrue();
            } else {
                assertThat(TcpPackets.u16(out, 16 + 4)).isEqualTo(len - 40);
            }
            assertThat(TcpPackets.u32(out, 16 + ip + 4)).isEqualTo((0xfffff000L + (long) i * mss) & 0xffffffffL);
            int flags = out[16 + ip + 13] & 0xff;
            boolean last = i == n - 1;
            assertThat(flags & (PSH | FIN)).isEqualTo(last ? PSH | FIN : 0);
            assertThat(flags & CWR).isEqualTo(i == 0 ? CWR : 0);
            assertThat(flags & ACK).isEqualTo(ACK);
            assertThat(Arrays.equals(out, 16 + ip + 20, 16 + hdr, original, ip + 20, hdr))
                    .as("options copied")
                    .isTrue();
            System.arraycopy(out, 16 + hdr, joined, i * mss, len - hdr);
        }
        assertThat(s.hasNext()).isFalse();
        assertThat(joined).isEqualTo(Arrays.copyOfRange(original, hdr, original.length));
    }

    @ValueSource(ints = {4, 6})
    @ParameterizedTest
    void rejectsFramesThatAreNotTcpGso(int version) {
        byte[] f = frame(version, 3000, 1380, ACK);
        TcpSegmenter s = new TcpSegmenter();
        byte[] wrongType = f.clone();
        wrongType[1] = (byte) (version == 4 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4);
        assertThat(s.start(wrongType, 0, wrongType.length)).isEqualTo(-1);
        byte[] zeroSize = f.clone();
        zeroSize[4] = 0;
        zeroSize[5] = 0;
        assertThat(s.start(zeroSize, 0, zeroSize.length)).isEqualTo(-1);
        byte[] badStart = f.clone();
        badStart[6] = (byte) 0xf0;
        badStart[7] = (byte) 0xff;
        assertThat(s.start(badStart, 0, badStart.length)).isEqualTo(-1);
        assertThat(s.start(f, 0, 30)).isEqualTo(-1);
    }

    @ValueSource(ints = {4, 6})
    @ParameterizedTest
    void completesAPartialChecksum(int version) {
        byte[] p = TcpPackets.tcp(version, 7, ACK, TcpPackets.payload(1001, 3), 1, true);
        int ip = version == 4 ? 20 : 40;
        assertThat(TcpPackets.tcpChecksumOk(p, 0, p.length)).isFalse();
        assertThat(TcpSegmenter.completeChecksum(p, 0, p.length, ip, 16)).isTrue();
        assertThat(TcpPackets.tcpChecksumOk(p, 0, p.length)).isTrue();
        assertThat(TcpSegmenter.completeChecksum(p, 0, p.length, p.length - 1, 16))
                .isFalse();
    }
}
