package dev.wgmesh.dataplane.message;

/**
 * Handshake response, message type 2, 92 bytes (whitepaper §5.4.3):
 *
 * <pre>
 *   0      4        8          12          44                60     76     92
 *   | type | sender | receiver | ephemeral | empty (0 + tag) | mac1 | mac2 |
 * </pre>
 */
public final class ResponseMessage {
    public static final int SENDER = 4;
    public static final int RECEIVER = 8;
    public static final int EPHEMERAL = 12;
    public static final int EMPTY = 44;
    public static final int EMPTY_LEN = WireGuardSpec.AEAD_TAG_SIZE;
    public static final int MAC1 = 60;
    public static final int MAC2 = 76;
    public static final int SIZE = WireGuardSpec.RESPONSE_SIZE;

    private ResponseMessage() {}

    public static boolean isValid(byte[] buf, int off, int len) {
        return MessageType.classify(buf, off, len) == WireGuardSpec.TYPE_RESPONSE;
    }

    public static int sender(byte[] buf, int off) {
        return LittleEndian.getInt(buf, off + SENDER);
    }

    public static int receiver(byte[] buf, int off) {
        return LittleEndian.getInt(buf, off + RECEIVER);
    }

    public static void writeHeader(byte[] buf, int off, int sender, int receiver) {
        MessageType.writeHeader(buf, off, WireGuardSpec.TYPE_RESPONSE);
        LittleEndian.putInt(buf, off + SENDER, sender);
        LittleEndian.putInt(buf, off + RECEIVER, receiver);
    }
}
