package dev.wgmesh.dataplane.queue;

/**
 * Sets ECN Congestion Experienced on an inner IP packet instead of dropping it (RFC 3168 §5, RFC 8289 §5.3).
 *
 * <pre>
 *   IPv4: byte 1 = DSCP(6) | ECN(2); header checksum at bytes 10..11, updated incrementally (RFC 1624 eqn. 3)
 *   IPv6: bytes 0..1 = version(4) | traffic class(8) | flow label...; ECN = traffic-class bits 1..0 = byte 1 mask 0x30
 * </pre>
 */
public final class Ecn {
    private static final int NOT_ECT = 0;
    private static final int CE = 3;

    private Ecn() {}

    /**
     * Marks CE if the packet is ECN-capable (ECT(0), ECT(1)) or already CE.
     *
     * @return true when the packet now carries CE (the caller may deliver it instead of dropping), false when it is
     *     not ECN-capable or not a well-formed IP header
     */
    public static boolean markCe(byte[] b, int off, int len) {
        if (len < 1) {
            return false;
        }
        int version = (b[off] & 0xff) >>> 4;
        if (version == 4) {
            return markIpv4(b, off, len);
        }
        if (version == 6) {
            return markIpv6(b, off, len);
        }
        return false;
    }

    private static boolean markIpv4(byte[] b, int off, int len) {
        int ihl = (b[off] & 0x0f) * 4;
        if (len < 20 || ihl < 20 || ihl > len) {
            return false;
        }
        int tos = b[off + 1] & 0xff;
        int ecn = tos & 3;
        if (ecn == NOT_ECT) {
            return false;
        }
        if (ecn == CE) {
            return true;
        }
        int oldWord = ((b[off] & 0xff) << 8) | tos;
        int newWord = oldWord | CE;
        int check = ((b[off + 10] & 0xff) << 8) | (b[off + 11] & 0xff);
        // RFC 1624: HC' = ~(~HC + ~m + m'), in one's-complement arithmetic.
        int sum = (~check & 0xffff) + (~oldWord & 0xffff) + newWord;
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        int newCheck = ~sum & 0xffff;
        b[off + 1] = (byte) (tos | CE);
        b[off + 10] = (byte) (newCheck >>> 8);
        b[off + 11] = (byte) newCheck;
        return true;
    }

    private static boolean markIpv6(byte[] b, int off, int len) {
        if (len < 40) {
            return false;
        }
        int ecn = (b[off + 1] >>> 4) & 3;
        if (ecn == NOT_ECT) {
            return false;
        }
        b[off + 1] = (byte) (b[off + 1] | 0x30);
        return true;
    }
}
