package dev.wgmesh.dataplane.message;

/**
 * Handshake initiation, message type 1, 148 bytes (whitepaper §5.4.2):
 *
 * <pre>
 *   0      4        8           40                  88                 116    132    148
 *   | type | sender | ephemeral | static (32 + tag) | TAI64N (12 + tag) | mac1 | mac2 |
 * </pre>
 *
 * Offsets are relative to the message start; integers are little-endian.
 */
public final class InitiationMessage {
    public static final int SENDER = 4;
    public static final int EPHEMERAL = 8;
    public static final int STATIC = 40;
    public static final int STATIC_LEN = 32 + WireGuardSpec.AEAD_TAG_SIZE;
    public static final int TIMESTAMP = 88;
    public static final int TIMESTAMP_LEN = 12 + WireGuardSpec.AEAD_TAG_SIZE;
    public static final int MAC1 = 116;
    public static final int MAC2 = 132;
    public static final int SIZE = WireGuardSpec.INITIATION_SIZE;

    private InitiationMessage() {}

    /** True when {@code buf[off..off+len)} is a well-formed initiation (type, reserved bytes, size). */
    public static boolean isValid(byte[] buf, int off, int len) {
        return MessageType.classify(buf, off, len) == WireGuardSpec.TYPE_INITIATION;
    }

    public static int sender(byte[] buf, int off) {
        return LittleEndian.getInt(buf, off + SENDER);
    }

    public static void writeHeader(byte[] buf, int off, int sender) {
        MessageType.writeHeader(buf, off, WireGuardSpec.TYPE_INITIATION);
        LittleEndian.putInt(buf, off + SENDER, sender);
    }
}
