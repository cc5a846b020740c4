package dev.wgmesh.dataplane.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Poly1305 (RFC 8439 §2.5), the one-time authenticator of ChaCha20-Poly1305, written for the data plane's hot path.
 *
 * <p>Why by hand: the JDK's Poly1305 has CPU intrinsics only with AVX-512 IFMA or AVX-IFMA; on the AVX2 machines we
 * run on its Java fallback took about 60% of a 1420-byte seal and allocated about 2 KB per packet, and BouncyCastle's
 * Poly1305 measured 2.2x slower than the two-blocks-a-step version of this class (and allocates its key parameter).
 * This one allocates nothing.
 *
 * <p>Arithmetic: the accumulator and {@code r} are five 26-bit limbs held in {@code long}s, so each product fits in
 * 64 bits with room for the sums (at most 2^60). Four blocks are folded per step as
 * {@code h = (h + m1) r^4 + m2 r^3 + m3 r^2 + m4 r}: four times the multiplications of one block but one carry chain
 * per four blocks, and that chain is what limits the one-block loop (measured: 1.2-1.35x over two blocks per step,
 * about 1.8x over one).
 *
 * <p>Use: {@link #init} with the 32-byte one-time key {@code r ‖ s}, then {@link #update} / {@link #updatePadded},
 * then {@link #finish} or {@link #verify}, which also wipe the key from the instance. Not thread-safe; one instance
 * per thread, reused for every message.
 */
public final class Poly1305 {
    public static final int KEY_LEN = 32;
    public static final int TAG_LEN = 16;

    private static final long M26 = 0x3ffffff;
    private static final long HIBIT = 1L << 24; // 2^128 in the top limb: the bit appended to every full block
    private static final byte[] ZERO_BLOCK = new byte[16];
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private long r0, r1, r2, r3, r4, s1, s2, s3, s4; // r and 5r (the reduction 2^130 = 5 mod p folded in)
    /** r^2, r^3 and r^4 as limbs, made on the first call with four blocks to fold (short messages skip them). */
    private final long[] rr = new long[5], r3p = new long[5], r4p = new long[5];

    private boolean powers;
    private long h0, h1, h2, h3, h4;
    private long k0, k1, k2, k3; // s, as four unsigned 32-bit words
    private final byte[] block = new byte[16];
    private final byte[] tag = new byte[TAG_LEN];

    private static long u32(byte[] b, int off) {
        return ((int) LE32.get(b, off)) & 0xffffffffL;
    }

    /** Starts a message under the one-time key {@code key[off..off+32)} ({@code r} is clamped here). */
    public void init(byte[] key, int off) {
        r0 = u32(key, off) & 0x3ffffff;
        r1 = (u32(key, off + 3) >>> 2) & 0x3ffff03;
        r2 = (u32(key, off + 6) >>> 4) & 0x3ffc0ff;
        r3 = (u32(key, off + 9) >>> 6) & 0x3f03fff;
        r4 = (u32(key, off + 12) >>> 8) & 0x00fffff;
        s1 = r1 * 5;
        s2 = r2 * 5;
        s3 = r3 * 5;
        s4 = r4 * 5;
        powers = false;
        h0 = h1 = h2 = h3 = h4 = 0;
        k0 = u32(key, off + 16);
        k1 = u32(key, off + 20);
        k2 = u32(key, off + 24);
        k3 = u32(key, off + 28);
    }

    /**
     * Adds {@code m[off..off+len)} to a plain Poly1305 message. Every call but a message's last must pass a multiple
     * of 16 bytes; a last partial block gets the RFC's 0x01 byte appended.
     */
    public void update(byte[] m, int off, int len) {
        int full = len & ~15;
        blocks(m, off, full);
        int rest = len - full;
        if (rest > 0) {
            System.arraycopy(m, off + full, block, 0, rest);
            block[rest] = 1;
            java.util.Arrays.fill(block, rest + 1, 16, (byte) 0);
            single(block, 0, 0);
        }
    }

    /** Adds {@code m[off..off+len)} zero-padded to a multiple of 16 bytes, as the AEAD construction (§2.8) does. */
    public void updatePadded(byte[] m, int off, int len) {
        int full = len & ~15;
        blocks(m, off, full);
        int rest = len - full;
        if (rest > 0) {
            System.arraycopy(m, off + full, block, 0, rest);
            java.util.Arrays.fill(block, rest, 16, (byte) 0);
            single(block, 0, HIBIT);
        }
    }

    /** Adds the AEAD's closing block: the associated data's and the ciphertext's lengths, 64-bit little-endian. */
    public void updateLengths(long adLen, long ctLen) {
        LE32.set(block, 0, (int) adLen);
        LE32.set(block, 4, (int) (adLen >>> 32));
        LE32.set(block, 8, (int) ctLen);
        LE32.set(block, 12, (int) (ctLen >>> 32));
        single(block, 0, HIBIT);
    }

    /** Writes the 16-byte tag to {@code out[off..)} and wipes the key. */
    public void finish(byte[] out, int off) {
        carry(h0, h1, h2, h3, h4); // h < 2^130 + a little: at most one p to take off
        long f0 = h0, f1 = h1, f2 = h2, f3 = h3, f4 = h4;
        // g = h + 5 - 2^130: non-negative exactly when h >= p, and then h mod p = g. Chosen without a branch.
        long g0 = f0 + 5;
        long c = g0 >>> 26;
        g0 &= M26;
        long g1 = f1 + c;
        c = g1 >>> 26;
        g1 &= M26;
        long g2 = f2 + c;
        c = g2 >>> 26;
        g2 &= M26;
        long g3 = f3 + c;
        c = g3 >>> 26;
        g3 &= M26;
        long g4 = f4 + c - (1L << 26);
        long useG = (g4 >>> 63) - 1; // all ones when g4 >= 0
        f0 = (f0 & ~useG) | (g0 & useG);
        f1 = (f1 & ~useG) | (g1 & useG);
        f2 = (f2 & ~useG) | (g2 & useG);
        f3 = (f3 & ~useG) | (g3 & useG);
        f4 = (f4 & ~useG) | (g4 & useG);
        // (h + s) mod 2^128, in 32-bit words
        long w = ((f0 | (f1 << 26)) & 0xffffffffL) + k0;
        LE32.set(out, off, (int) w);
        w = (((f1 >>> 6) | (f2 << 20)) & 0xffffffffL) + k1 + (w >>> 32);
        LE32.set(out, off + 4, (int) w);
        w = (((f2 >>> 12) | (f3 << 14)) & 0xffffffffL) + k2 + (w >>> 32);
        LE32.set(out, off + 8, (int) w);
        w = (((f3 >>> 18) | (f4 << 8)) & 0xffffffffL) + k3 + (w >>> 32);
        LE32.set(out, off + 12, (int) w);
        wipe();
    }

    /** Computes the tag and compares it with {@code expected[off..off+16)} in constant time; wipes the key. */
    public boolean verify(byte[] expected, int off) {
        finish(tag, 0);
        boolean ok = ConstantTime.equals(tag, 0, expected, off, TAG_LEN);
        java.util.Arrays.fill(tag, (byte) 0);
        return ok;
    }

    private void wipe() {
        r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
        java.util.Arrays.fill(rr, 0);
        java.util.Arrays.fill(r3p, 0);
        java.util.Arrays.fill(r4p, 0);
        powers = false;
        h0 = h1 = h2 = h3 = h4 = 0;
        k0 = k1 = k2 = k3 = 0;
        java.util.Arrays.fill(block, (byte) 0);
    }

    /** Full 16-byte blocks, {@code len} a multiple of 16: four per step while four remain, then one at a time. */
    private void blocks(byte[] m, int off, int len) {
        int end = off + len;
        if (len >= 64) {
            if (!powers) {
                makePowers();
            }
            off = fourAtATime(m, off, end);
        }
        for (; off < end; off += 16) {
            single(m, off, HIBIT);
        }
    }

    /** Folds four blocks per step from {@code off} while four remain; returns where it stopped. */
    private int fourAtATime(byte[] m, int off, int end) {
        final long a0 = r4p[0], a1 = r4p[1], a2 = r4p[2], a3 = r4p[3], a4 = r4p[4];
        final long a5 = a1 * 5, a6 = a2 * 5, a7 = a3 * 5, a8 = a4 * 5;
        final long b0 = r3p[0], b1 = r3p[1], b2 = r3p[2], b3 = r3p[3], b4 = r3p[4];
        final long b5 = b1 * 5, b6 = b2 * 5, b7 = b3 * 5, b8 = b4 * 5;
        final long c0 = rr[0], c1 = rr[1], c2 = rr[2], c3 = rr[3], c4 = rr[4];
        final long c5 = c1 * 5, c6 = c2 * 5, c7 = c3 * 5, c8 = c4 * 5;
        final long e0 = r0, e1 = r1, e2 = r2, e3 = r3, e4 = r4, e5 = s1, e6 = s2, e7 = s3, e8 = s4;
        for (; off + 64 <= end; off += 64) {
            long x0 = h0 + (u32(m, off) & M26);
            long x1 = h1 + ((u32(m, off + 3) >>> 2) & M26);
            long x2 = h2 + ((u32(m, off + 6) >>> 4) & M26);
            long x3 = h3 + ((u32(m, off + 9) >>> 6) & M26);
            long x4 = h4 + ((u32(m, off + 12) >>> 8) | HIBIT);
            long y0 = u32(m, off + 16) & M26;
            long y1 = (u32(m, off + 19) >>> 2) & M26;
            long y2 = (u32(m, off + 22) >>> 4) & M26;
            long y3 = (u32(m, off + 25) >>> 6) & M26;
            long y4 = (u32(m, off + 28) >>> 8) | HIBIT;
            long z0 = u32(m, off + 32) & M26;
            long z1 = (u32(m, off + 35) >>> 2) & M26;
            long z2 = (u32(m, off + 38) >>> 4) & M26;
            long z3 = (u32(m, off + 41) >>> 6) & M26;
            long z4 = (u32(m, off + 44) >>> 8) | HIBIT;
            long w0 = u32(m, off + 48) & M26;
            long w1 = (u32(m, off + 51) >>> 2) & M26;
            long w2 = (u32(m, off + 54) >>> 4) & M26;
            long w3 = (u32(m, off + 57) >>> 6) & M26;
            long w4 = (u32(m, off + 60) >>> 8) | HIBIT;
            // x r^4 + y r^3 + z r^2 + w r; a5..a8 etc. are 5 times limbs 1..4 (the wrap past 2^130)
            long d0 = x0 * a0 + x1 * a8 + x2 * a7 + x3 * a6 + x4 * a5 + y0 * b0 + y1 * b8 + y2 * b7 + y3 * b6 + y4 * b5
                    + z0 * c0 + z1 * c8 + z2 * c7 + z3 * c6 + z4 * c5 + w0 * e0 + w1 * e8 + w2 * e7 + w3 * e6 + w4 * e5;
            long d1 = x0 * a1 + x1 * a0 + x2 * a8 + x3 * a7 + x4 * a6 + y0 * b1 + y1 * b0 + y2 * b8 + y3 * b7 + y4 * b6
                    + z0 * c1 + z1 * c0 + z2 * c8 + z3 * c7 + z4 * c6 + w0 * e1 + w1 * e0 + w2 * e8 + w3 * e7 + w4 * e6;
            long d2 = x0 * a2 + x1 * a1 + x2 * a0 + x3 * a8 + x4 * a7 + y0 * b2 + y1 * b1 + y2 * b0 + y3 * b8 + y4 * b7
                    + z0 * c2 + z1 * c1 + z2 * c0 + z3 * c8 + z4 * c7 + w0 * e2 + w1 * e1 + w2 * e0 + w3 * e8 + w4 * e7;
            long d3 = x0 * a3 + x1 * a2 + x2 * a1 + x3 * a0 + x4 * a8 + y0 * b3 + y1 * b2 + y2 * b1 + y3 * b0 + y4 * b8
                    + z0 * c3 + z1 * c2 + z2 * c1 + z3 * c0 + z4 * c8 + w0 * e3 + w1 * e2 + w2 * e1 + w3 * e0 + w4 * e8;
            long d4 = x0 * a4 + x1 * a3 + x2 * a2 + x3 * a1 + x4 * a0 + y0 * b4 + y1 * b3 + y2 * b2 + y3 * b1 + y4 * b0
                    + z0 * c4 + z1 * c3 + z2 * c2 + z3 * c1 + z4 * c0 + w0 * e4 + w1 * e3 + w2 * e2 + w3 * e1 + w4 * e0;
            carry(d0, d1, d2, d3, d4);
        }
        return off;
    }

    /**
     * r^2, r^3, r^4 from r: a zero block without its 2^128 bit multiplies the accumulator by r, so starting it at r
     * gives each power in turn, carried like a block (limbs below 2^26, limb 1 a little above), as the sums need.
     */
    private void makePowers() {
        long g0 = h0, g1 = h1, g2 = h2, g3 = h3, g4 = h4;
        h0 = r0;
        h1 = r1;
        h2 = r2;
        h3 = r3;
        h4 = r4;
        single(ZERO_BLOCK, 0, 0);
        copyAccumulator(rr);
        single(ZERO_BLOCK, 0, 0);
        copyAccumulator(r3p);
        single(ZERO_BLOCK, 0, 0);
        copyAccumulator(r4p);
        h0 = g0;
        h1 = g1;
        h2 = g2;
        h3 = g3;
        h4 = g4;
        powers = true;
    }

    private void copyAccumulator(long[] limbs) {
        limbs[0] = h0;
        limbs[1] = h1;
        limbs[2] = h2;
        limbs[3] = h3;
        limbs[4] = h4;
    }

    /** One 16-byte block with {@code hibit} (2^128, or 0 for a padded last block of a plain message). */
    private void single(byte[] m, int off, long hibit) {
        long a0 = h0 + (u32(m, off) & M26);
        long a1 = h1 + ((u32(m, off + 3) >>> 2) & M26);
        long a2 = h2 + ((u32(m, off + 6) >>> 4) & M26);
        long a3 = h3 + ((u32(m, off + 9) >>> 6) & M26);
        long a4 = h4 + ((u32(m, off + 12) >>> 8) | hibit);
        long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;
        carry(d0, d1, d2, d3, d4);
    }

    /** Carries the product's limbs into the accumulator, folding what passes 2^130 back in times 5. */
    private void carry(long d0, long d1, long d2, long d3, long d4) {
        long c = d0 >>> 26;
        h0 = d0 & M26;
        d1 += c;
        c = d1 >>> 26;
        h1 = d1 & M26;
        d2 += c;
        c = d2 >>> 26;
        h2 = d2 & M26;
        d3 += c;
        c = d3 >>> 26;
        h3 = d3 & M26;
        d4 += c;
        c = d4 >>> 26;
        h4 = d4 & M26;
        h0 += c * 5;
        c = h0 >>> 26;
        h0 &= M26;
        h1 += c;
    }
}
