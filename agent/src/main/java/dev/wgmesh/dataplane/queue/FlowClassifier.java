package dev.wgmesh.dataplane.queue;

import java.security.SecureRandom;

/**
 * Hashes an inner IP packet's flow for FQ-CoDel (RFC 8290 §4.1.1): the 5-tuple for TCP, UDP, UDP-Lite, SCTP and
 * DCCP; addresses and protocol for anything else (ICMP, fragments after the first, unknown extension chains).
 *
 * <p>The hash is keyed with a per-device random seed so that an outsider cannot aim many flows at one queue
 * (RFC 8290 §5.3). Allocation-free; safe for any number of threads (immutable).
 */
public final class FlowClassifier {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int DCCP = 33;
    private static final int SCTP = 132;
    private static final int UDPLITE = 136;
    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_FRAGMENT = 44;
    private static final int IPV6_DEST_OPTS = 60;
    private static final int MAX_IPV6_EXTENSIONS = 4;

    private final int seed;

    public FlowClassifier(int seed) {
        this.seed = seed;
    }

    /** A classifier with a seed from {@link SecureRandom}: one per device. */
    public static FlowClassifier withRandomSeed() {
        return new FlowClassifier(new SecureRandom().nextInt());
    }

    /** The flow hash of the IP packet at {@code b[off..off+len)}; malformed packets all hash to one flow. */
    public int hash(byte[] b, int off, int len) {
        if (len < 1) {
            return finish(seed, 0);
        }
        int version = (b[off] & 0xff) >>> 4;
        if (version == 4 && len >= 20) {
            return hashIpv4(b, off, len);
        }
        if (version == 6 && len >= 40) {
            return hashIpv6(b, off, len);
        }
        return finish(seed, 0);
    }

    private int hashIpv4(byte[] b, int off, int len) {
        int ihl = (b[off] & 0x0f) * 4;
        int proto = b[off + 9] & 0xff;
        int h = seed;
        h = mix(h, readInt(b, off + 12));
        h = mix(h, readInt(b, off + 16));
        int fragOffset = ((b[off + 6] & 0x1f) << 8) | (b[off + 7] & 0xff);
        int ports = 0;
        if (ihl >= 20 && fragOffset == 0 && hasPorts(proto) && ihl + 4 <= len) {
            ports = readInt(b, off + ihl);
        }
        h = mix(h, ports);
        return finish(h, proto | 4 << 8);
    }

    private int hashIpv6(byte[] b, int off, int len) {
        int h = seed;
        for (int i = 8; i < 40; i += 4) {
            h = mix(h, readInt(b, off + i));
        }
        int proto = b[off + 6] & 0xff;
        int pos = 40;
        boolean fragmentTail = false;
        for (int n = 0; n < MAX_IPV6_EXTENSIONS && isExtension(proto) && pos + 8 <= len; n++) {
            int next = b[off + pos] & 0xff;
            if (proto == IPV6_FRAGMENT) {
                fragmentTail |= (((b[off + pos + 2] & 0xff) << 8) | (b[off + pos + 3] & 0xf8)) != 0;
                pos += 8;
            } else {
                pos += ((b[off + pos + 1] & 0xff) + 1) * 8;
            }
            proto = next;
        }
        int ports = 0;
        if (!fragmentTail && hasPorts(proto) && pos + 4 <= len) {
            ports = readInt(b, off + pos);
        }
        h = mix(h, ports);
        return finish(h, proto | 6 << 8);
    }

    private static boolean isExtension(int proto) {
        return proto == IPV6_HOP_BY_HOP || proto == IPV6_ROUTING || proto == IPV6_FRAGMENT || proto == IPV6_DEST_OPTS;
    }

    private static boolean hasPorts(int proto) {
        return proto == TCP || proto == UDP || proto == UDPLITE || proto == SCTP || proto == DCCP;
    }

    private static int readInt(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    /** Murmur3's 32-bit block mix: cheap, and every input bit reaches every output bit after {@link #finish}. */
    private static int mix(int h, int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        h ^= k;
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int finish(int h, int tail) {
        h = mix(h, tail);
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
