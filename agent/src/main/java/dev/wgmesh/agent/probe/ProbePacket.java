package dev.wgmesh.agent.probe;

/**
 * The probe datagram, 40 bytes, big-endian. A request is answered by echoing it with the type changed to reply, so
 * an answer is never larger than the question (no amplification).
 *
 * <pre>
 *  0       4    5     8        10       12       16                24                               40
 *  +-------+----+-----+--------+--------+--------+-----------------+--------------------------------+
 *  | "wgmP"|type| 0 0 0| slot  |  gen   |  seq   | send time (ns,  | session token (16 random bytes)|
 *  |       |1 rq|      | (u16) | (u16)  | (u32)  | prober's clock) | of the prober that sent it     |
 *  |       |2 rp|      |       |        |        |                 |                                |
 *  +-------+----+-----+--------+--------+--------+-----------------+--------------------------------+
 * </pre>
 *
 * slot/gen/seq identify the peer entry and the probe on the prober side only; the responder does not interpret them.
 * A reply is accepted only with our session token, a live slot of the right generation, an outstanding sequence
 * number whose send time matches, and the peer's own address as source: stray and forged packets are ignored.
 */
final class ProbePacket {
    static final int LENGTH = 40;
    static final byte REQUEST = 1;
    static final byte REPLY = 2;
    static final int TYPE = 4;
    static final int SLOT = 8;
    static final int GEN = 10;
    static final int SEQ = 12;
    static final int TIME = 16;
    static final int TOKEN = 24;
    static final int TOKEN_LENGTH = 16;
    private static final int MAGIC = 0x77676d50; // "wgmP"

    private ProbePacket() {}

    static void writeRequest(byte[] b, int slot, int gen, long seq, long sendNanos, byte[] token) {
        putInt(b, 0, MAGIC);
        b[TYPE] = REQUEST;
        b[5] = 0;
        b[6] = 0;
        b[7] = 0;
        b[SLOT] = (byte) (slot >>> 8);
        b[SLOT + 1] = (byte) slot;
        b[GEN] = (byte) (gen >>> 8);
        b[GEN + 1] = (byte) gen;
        putInt(b, SEQ, (int) seq);
        putLong(b, TIME, sendNanos);
        System.arraycopy(token, 0, b, TOKEN, TOKEN_LENGTH);
    }

    /** True when {@code b[0..len)} is a well-formed probe of {@code type}. */
    static boolean is(byte[] b, int len, byte type) {
        return len == LENGTH && getInt(b, 0) == MAGIC && b[TYPE] == type;
    }

    static int slot(byte[] b) {
        return ((b[SLOT] & 0xff) << 8) | (b[SLOT + 1] & 0xff);
    }

    static int gen(byte[] b) {
        return ((b[GEN] & 0xff) << 8) | (b[GEN + 1] & 0xff);
    }

    static long seq(byte[] b) {
        return getInt(b, SEQ) & 0xffffffffL;
    }

    static long sendNanos(byte[] b) {
        return ((long) getInt(b, TIME) << 32) | (getInt(b, TIME + 4) & 0xffffffffL);
    }

    static boolean tokenMatches(byte[] b, byte[] token) {
        int diff = 0;
        for (int i = 0; i < TOKEN_LENGTH; i++) {
            diff |= b[TOKEN + i] ^ token[i];
        }
        return diff == 0;
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) (v >>> 32));
        putInt(b, off + 4, (int) v);
    }

    private static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}
