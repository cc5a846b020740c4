package dev.wgmesh.dataplane.offload;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit big-endian words.
 *
 * <p>{@link #sum} accumulates without folding so partial sums (pseudo-header, header, payload) can be added;
 * {@link #fold} reduces to 16 bits; the field value is {@code ~fold(sum) & 0xffff}. Sums are taken eight bytes at a
 * time: adding both 32-bit halves of a 64-bit word and folding later gives the same result as 16-bit words
 * (RFC 1071 §2 (B), byte-order and width independence). Callers keep every partial sum starting at an even offset
 * of the checksummed range.
 */
public final class Checksum {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    private Checksum() {}

    /** Adds {@code b[off..off+len)} as 16-bit big-endian words to {@code acc} (an odd last byte is padded). */
    public static long sum(byte[] b, int off, int len, long acc) {
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long v = (long) LONG_BE.get(b, i);
            acc += (v >>> 32) + (v & 0xffffffffL);
            i += 8;
        }
        while (end - i >= 2) {
            acc += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
            i += 2;
        }
        if (i < end) {
            acc += (b[i] & 0xff) << 8;
        }
        return acc;
    }

    /** Folds a sum to 16 bits (end-around carry). */
    public static int fold(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xffff) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** The checksum field value for {@code acc}: {@code ~fold(acc)}, 16 bits. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xffff;
    }

    /**
     * The pseudo-header sum (RFC 793 §3.1, RFC 8200 §8.1) for the IP packet at {@code b[ipOff..]}: source and
     * destination address, protocol and the transport length {@code l4Len}.
     */
    public static long pseudoHeader(byte[] b, int ipOff, int version, int protocol, int l4Len) {
        long acc = version == 4 ? sum(b, ipOff + 12, 8, 0) : sum(b, ipOff + 8, 32, 0);
        return acc + protocol + l4Len;
    }

    /** Recomputes the IPv4 header checksum in place (header length from IHL). */
    public static void fixIpv4Header(byte[] b, int ipOff) {
        int ihl = (b[ipOff] & 0x0f) * 4;
        b[ipOff + 10] = 0;
        b[ipOff + 11] = 0;
        int c = finish(sum(b, ipOff, ihl, 0));
        b[ipOff + 10] = (byte) (c >>> 8);
        b[ipOff + 11] = (byte) c;
    }

    /** True when the TCP checksum of the IP packet {@code b[ipOff..ipOff+len)} with IP header {@code iphLen} verifies. */
    public static boolean tcpValid(byte[] b, int ipOff, int len, int version, int iphLen) {
        int l4 = len - iphLen;
        long acc = pseudoHeader(b, ipOff, version, PROTO_TCP, l4);
        return fold(sum(b, ipOff + iphLen, l4, acc)) == 0xffff;
    }

    /** Computes and stores the TCP checksum of the IP packet {@code b[ipOff..ipOff+len)}. */
    public static void fixTcp(byte[] b, int ipOff, int len, int version, int iphLen) {
        int tcp = ipOff + iphLen;
        b[tcp + 16] = 0;
        b[tcp + 17] = 0;
        int l4 = len - iphLen;
        int c = finish(sum(b, tcp, l4, pseudoHeader(b, ipOff, version, PROTO_TCP, l4)));
        b[tcp + 16] = (byte) (c >>> 8);
        b[tcp + 17] = (byte) c;
    }
}
