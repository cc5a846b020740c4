package dev.wgmesh.dataplane.crypto;

import java.time.Instant;

/**
 * TAI64N timestamps as the handshake initiation carries them (whitepaper §5.4.2, cr.yp.to/libtai/tai64.html):
 *
 * <pre>
 *   0            8            12
 *   | seconds BE | nanos BE   |     seconds = 2^62 + 10 + unix seconds
 * </pre>
 *
 * <p>Like wireguard-go we round the nanoseconds down to 2^24 ns (~16.8 ms): the responder only needs a strictly
 * increasing value, and a coarse clock leaks less about the sender's timing.
 */
public final class Tai64n {
    public static final int LEN = 12;
    private static final long BASE = (1L << 62) + 10;
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {}

    /** Writes the TAI64N encoding of {@code time} to {@code out[off..off+12)}. */
    public static void write(Instant time, byte[] out, int off) {
        long secs = BASE + time.getEpochSecond();
        int nanos = time.getNano() & ~WHITENER_MASK;
        for (int i = 0; i < 8; i++) {
            out[off + i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[off + 8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
    }

    public static byte[] now() {
        byte[] out = new byte[LEN];
        write(Instant.now(), out, 0);
        return out;
    }

    /**
     * True when {@code a} is strictly after {@code b}. Both are big-endian, so an unsigned byte-wise comparison is
     * a numeric one. Timestamps are public (they travel encrypted but are not secret), so no constant time needed.
     */
    public static boolean isAfter(byte[] a, int aOff, byte[] b, int bOff) {
        for (int i = 0; i < LEN; i++) {
            int x = a[aOff + i] & 0xff;
            int y = b[bOff + i] & 0xff;
            if (x != y) {
                return x > y;
            }
        }
        return false;
    }

    /** Adds the smallest step (2^24 ns, the whitened resolution) to a timestamp in place. */
    public static void increment(byte[] ts, int off) {
        long secs = 0;
        for (int i = 0; i < 8; i++) {
            secs = (secs << 8) | (ts[off + i] & 0xff);
        }
        long nanos = 0;
        for (int i = 0; i < 4; i++) {
            nanos = (nanos << 8) | (ts[off + 8 + i] & 0xff);
        }
        nanos += WHITENER_MASK + 1;
        if (nanos >= 1_000_000_000L) {
            nanos = 0;
            secs++;
        }
        for (int i = 0; i < 8; i++) {
            ts[off + i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            ts[off + 8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
    }
}
