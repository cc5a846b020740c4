package dev.wgmesh.dataplane.message;

/**
 * Cookie reply, message type 3, 64 bytes (whitepaper §5.4.7):
 *
 * <pre>
 *   0      4          8        32                    64
 *   | type | receiver | nonce  | cookie (16 + tag)   |
 * </pre>
 */
public final class CookieReplyMessage {
    public static final int RECEIVER = 4;
    public static final int NONCE = 8;
    public static final int NONCE_LEN = 24;
    public static final int COOKIE = 32;
    public static final int COOKIE_LEN = 16 + WireGuardSpec.AEAD_TAG_SIZE;
    public static final int SIZE = WireGuardSpec.COOKIE_REPLY_SIZE;

    private CookieReplyMessage() {}

    public static boolean isValid(byte[] buf, int off, int len) {
        return MessageType.classify(buf, off, len) == WireGuardSpec.TYPE_COOKIE_REPLY;
    }

    public static int receiver(byte[] buf, int off) {
        return LittleEndian.getInt(buf, off + RECEIVER);
    }

    public static void writeHeader(byte[] buf, int off, int receiver) {
        MessageType.writeHeader(buf, off, WireGuardSpec.TYPE_COOKIE_REPLY);
        LittleEndian.putInt(buf, off + RECEIVER, receiver);
    }
}
