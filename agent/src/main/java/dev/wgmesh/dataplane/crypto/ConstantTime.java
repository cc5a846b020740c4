package dev.wgmesh.dataplane.crypto;

/** Comparisons whose running time does not depend on the data (for MACs, tags, keys). */
public final class ConstantTime {
    private ConstantTime() {}

    /** True when {@code a[aOff..aOff+len)} equals {@code b[bOff..bOff+len)}; time depends on {@code len} only. */
    public static boolean equals(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= a[aOff + i] ^ b[bOff + i];
        }
        return diff == 0;
    }

    public static boolean equals(byte[] a, byte[] b) {
        return a.length == b.length && equals(a, 0, b, 0, a.length);
    }

    /** True when {@code a[off..off+len)} is all zero; time depends on {@code len} only. */
    public static boolean isZero(byte[] a, int off, int len) {
        int acc = 0;
        for (int i = 0; i < len; i++) {
            acc |= a[off + i];
        }
        return acc == 0;
    }
}
