package dev.wgmesh.dataplane.message;

/**
 * Transport data, message type 4 (whitepaper §5.4.6): a 16-byte header, then the encrypted, zero-padded inner
 * packet and its tag. A keepalive carries an empty payload: 32 bytes in all.
 *
 * <pre>
 *   0      4          8                 16
 *   | type | receiver | counter (LE 64) | ciphertext (padded to 16) ‖ tag (16) |
 * </pre>
 */
public final class TransportMessage {
    public static final int RECEIVER = 4;
    public static final int COUNTER = 8;
    public static final int PAYLOAD = WireGuardSpec.TRANSPORT_HEADER_SIZE;

    private TransportMessage() {}

    /** True when the header is well formed and the message is at least a keepalive. */
    public static boolean isValid(byte[] buf, int off, int len) {
        return MessageType.classify(buf, off, len) == WireGuardSpec.TYPE_TRANSPORT;
    }

    public static int receiver(byte[] buf, int off) {
        return LittleEndian.getInt(buf, off + RECEIVER);
    }

    public static long counter(byte[] buf, int off) {
        return LittleEndian.getLong(buf, off + COUNTER);
    }

    public static void writeHeader(byte[] buf, int off, int receiver, long counter) {
        MessageType.writeHeader(buf, off, WireGuardSpec.TYPE_TRANSPORT);
        LittleEndian.putInt(buf, off + RECEIVER, receiver);
        LittleEndian.putLong(buf, off + COUNTER, counter);
    }

    /**
     * The padded plaintext length for an inner packet of {@code len} bytes (§5.4.6): rounded up to a multiple of 16
     * but never past {@code mtu} (a packet of exactly MTU size is not padded further).
     */
    public static int paddedLength(int len, int mtu) {
        int padded = (len + WireGuardSpec.PADDING_MULTIPLE - 1) & -WireGuardSpec.PADDING_MULTIPLE;
        if (padded > mtu) {
            padded = Math.max(len, mtu);
        }
        return padded;
    }
}
