package dev.wgmesh.dataplane.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void classifyChecksTypeReservedBytesAndSize() {
        assertThat(MessageType.classify(header(1, 148), 0, 148)).isEqualTo(1);
        assertThat(MessageType.classify(header(1, 149), 0, 149)).isZero();
        assertThat(MessageType.classify(header(1, 147), 0, 147)).isZero();
        assertThat(MessageType.classify(header(2, 92), 0, 92)).isEqualTo(2);
        assertThat(MessageType.classify(header(3, 64), 0, 64)).isEqualTo(3);
        assertThat(MessageType.classify(header(3, 65), 0, 65)).isZero();
        assertThat(MessageType.classify(header(4, 32), 0, 32)).isEqualTo(4);
        assertThat(MessageType.classify(header(4, 1500), 0, 1500)).isEqualTo(4);
        assertThat(MessageType.classify(header(4, 31), 0, 31)).isZero();
        assertThat(MessageType.classify(header(5, 64), 0, 64)).isZero();
        assertThat(MessageType.classify(header(0, 64), 0, 64)).isZero();
        assertThat(MessageType.classify(new byte[3], 0, 3)).isZero();
        for (int reserved = 1; reserved < 4; reserved++) {
            byte[] m = header(1, 148);
            m[reserved] = 1;
            assertThat(MessageType.classify(m, 0, 148)).isZero();
        }
    }

    @Test
    void fieldsAreLittleEndianAtFixedOffsets() {
        byte[] buf = new byte[40];
        TransportMessage.writeHeader(buf, 4, 0x01020304, 0x1122334455667788L);
        assertThat(buf[4]).isEqualTo((byte) 4);
        assertThat(buf[8]).isEqualTo((byte) 0x04);
        assertThat(buf[11]).isEqualTo((byte) 0x01);
        assertThat(buf[12]).isEqualTo((byte) 0x88);
        assertThat(buf[19]).isEqualTo((byte) 0x11);
        assertThat(TransportMessage.receiver(buf, 4)).isEqualTo(0x01020304);
        assertThat(TransportMessage.counter(buf, 4)).isEqualTo(0x1122334455667788L);

        byte[] r = new byte[92];
        ResponseMessage.writeHeader(r, 0, 7, 9);
        assertThat(ResponseMessage.sender(r, 0)).isEqualTo(7);
        assertThat(ResponseMessage.receiver(r, 0)).isEqualTo(9);
        assertThat(ResponseMessage.isValid(r, 0, 92)).isTrue();
        byte[] c = new byte[64];
        CookieReplyMessage.writeHeader(c, 0, 5);
        assertThat(CookieReplyMessage.receiver(c, 0)).isEqualTo(5);
        assertThat(CookieReplyMessage.COOKIE + CookieReplyMessage.COOKIE_LEN).isEqualTo(64);
        assertThat(InitiationMessage.MAC2 + 16).isEqualTo(InitiationMessage.SIZE);
        assertThat(ResponseMessage.MAC2 + 16).isEqualTo(ResponseMessage.SIZE);
    }

    @Test
    void paddingRoundsUpToSixteenButNeverPastTheMtu() {
        assertThat(TransportMessage.paddedLength(0, 1420)).isZero();
        assertThat(TransportMessage.paddedLength(1, 1420)).isEqualTo(16);
        assertThat(TransportMessage.paddedLength(16, 1420)).isEqualTo(16);
        assertThat(TransportMessage.paddedLength(17, 1420)).isEqualTo(32);
        assertThat(TransportMessage.paddedLength(1419, 1420)).isEqualTo(1420);
        assertThat(TransportMessage.paddedLength(1420, 1420)).isEqualTo(1420);
        assertThat(TransportMessage.paddedLength(1413, 1420)).isEqualTo(1420);
        assertThat(TransportMessage.paddedLength(1500, 1420)).isEqualTo(1500);
    }

    @Test
    void specConstants() {
        assertThat(WireGuardSpec.REJECT_AFTER_MESSAGES).isEqualTo(-1L - (1L << 13)); // 2^64 - 2^13 - 1 as unsigned
        assertThat(WireGuardSpec.MAX_TIMER_HANDSHAKES).isEqualTo(18);
    }

    private static byte[] header(int type, int size) {
        byte[] m = new byte[size];
        if (size >= 4) {
            m[0] = (byte) type;
        }
        return m;
    }
}
