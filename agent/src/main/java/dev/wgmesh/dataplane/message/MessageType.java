package dev.wgmesh.dataplane.message;

/**
 * Reads the 4-byte message header: a type byte followed by three reserved bytes that must be zero (whitepaper
 * §5.4). Reading it as one little-endian 32-bit word checks both at once, as wireguard-go does.
 */
public final class MessageType {
    private MessageType() {}

    /**
     * The message type of {@code buf[off..off+len)} when its header is well formed and its size is exactly right
     * for that type (or, for transport data, at least a keepalive); 0 otherwise.
     */
    public static int classify(byte[] buf, int off, int len) {
        if (len < 4) {
            return 0;
        }
        int word = LittleEndian.getInt(buf, off);
        return switch (word) {
            case WireGuardSpec.TYPE_INITIATION -> len == WireGuardSpec.INITIATION_SIZE ? word : 0;
            case WireGuardSpec.TYPE_RESPONSE -> len == WireGuardSpec.RESPONSE_SIZE ? word : 0;
            case WireGuardSpec.TYPE_COOKIE_REPLY -> len == WireGuardSpec.COOKIE_REPLY_SIZE ? word : 0;
            case WireGuardSpec.TYPE_TRANSPORT -> len >= WireGuardSpec.KEEPALIVE_SIZE ? word : 0;
            default -> 0;
        };
    }

    /** Writes type and three zero reserved bytes. */
    public static void writeHeader(byte[] buf, int off, int type) {
        LittleEndian.putInt(buf, off, type);
    }
}
