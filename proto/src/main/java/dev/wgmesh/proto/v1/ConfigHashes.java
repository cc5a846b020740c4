package dev.wgmesh.proto.v1;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The configuration hash both sides of the contract compute (see {@code Ack.config_hash}): the controller for the
 * configuration it wants an agent to run, the agent for the configuration it actually runs. Equal hashes mean no
 * drift.
 *
 * <p>Canonical form: every list of prefixes or addresses sorted and de-duplicated, names and probe settings excluded
 * (they do not change what the data plane does). Each field of the canonical {@code NetworkConfig} (the interface,
 * each peer) is encoded as in its deterministic protobuf serialisation (tag, length, bytes) and hashed with SHA-256;
 * the configuration hash is the sum of those digests modulo 2^256 ({@link Sum}), as 64 lowercase hex digits:
 *
 * <pre>
 *   hash = hex( SHA-256(0x0a len interface) + SHA-256(0x12 len peer_1) + ... + SHA-256(0x12 len peer_n)  mod 2^256 )
 * </pre>
 *
 * <p>Why a sum and not one digest over the whole serialisation: a sum is independent of the peers' order and can be
 * updated in place, so a controller holding thousands of maps adds and subtracts one digest per changed peer instead
 * of rehashing every map a change touches (that was most of the CPU of a change reaching 1,000 agents). The hash only
 * detects drift between a controller and its own agents; it authenticates nothing (an agent could report any value),
 * so the sum's weaker resistance to deliberately crafted collisions costs nothing here, and accidental collisions
 * stay as unlikely as SHA-256's.
 */
public final class ConfigHashes {
    private static final Comparator<ByteString> UNSIGNED = ByteString.unsignedLexicographicalComparator();
    private static final int INTERFACE_FIELD = NetworkConfig.INTERFACE_CONFIG_FIELD_NUMBER;
    private static final int PEERS_FIELD = NetworkConfig.PEERS_FIELD_NUMBER;

    private ConfigHashes() {}

    public static String hash(NetworkConfig config) {
        Sum sum = new Sum();
        sum.add(interfaceDigest(config.getInterfaceConfig()));
        for (PeerConfig p : config.getPeersList()) {
            sum.add(peerDigest(p));
        }
        return sum.hex();
    }

    /** SHA-256 of the canonical interface field: one term of {@link #hash} (the interface is always present). */
    public static byte[] interfaceDigest(InterfaceConfig iface) {
        return sha256(field(INTERFACE_FIELD, canonical(iface)));
    }

    /** SHA-256 of one canonical peer field: one term of {@link #hash}. */
    public static byte[] peerDigest(PeerConfig peer) {
        return sha256(field(PEERS_FIELD, canonical(peer)));
    }

    /** The canonical form of a whole configuration (peers also sorted by public key, unsigned bytes). */
    public static NetworkConfig canonical(NetworkConfig config) {
        List<PeerConfig> peers = new ArrayList<>(config.getPeersCount());
        for (PeerConfig p : config.getPeersList()) {
            peers.add(canonical(p));
        }
        peers.sort((a, b) -> UNSIGNED.compare(a.getPublicKey(), b.getPublicKey()));
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(canonical(config.getInterfaceConfig()))
                .addAllPeers(peers)
                .build();
    }

    private static InterfaceConfig canonical(InterfaceConfig i) {
        return InterfaceConfig.newBuilder()
                .addAllAddresses(sorted(i.getAddressesList()))
                .setListenPort(i.getListenPort())
                .setMtu(i.getMtu())
                .addAllRoutes(sorted(i.getRoutesList()))
                .addAllLocalLanPrefixes(sorted(i.getLocalLanPrefixesList()))
                .build();
    }

    private static PeerConfig canonical(PeerConfig p) {
        return PeerConfig.newBuilder()
                .setPublicKey(p.getPublicKey())
                .setPresharedKey(p.getPresharedKey())
                .setEndpoint(p.getEndpoint())
                .setPersistentKeepaliveSeconds(p.getPersistentKeepaliveSeconds())
                .addAllAllowedIps(sorted(p.getAllowedIpsList()))
                .build();
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().distinct().sorted().toList();
    }

    /** Tag, length and deterministic serialisation of a length-delimited field, in an array of exactly that size. */
    private static byte[] field(int number, com.google.protobuf.MessageLite message) {
        byte[] out = new byte[CodedOutputStream.computeMessageSize(number, message)];
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.useDeterministicSerialization();
            coded.writeMessage(number, message);
            coded.checkNoSpaceLeft();
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", ex);
        }
    }

    /**
     * A configuration hash under construction or kept up to date: the sum of its terms' digests modulo 2^256. Add a
     * peer's digest when the peer appears, subtract it when the peer goes, both when it changes. Not thread-safe.
     */
    public static final class Sum {
        /** Big-endian 64-bit words: w[0] holds the most significant bits. */
        private final long[] w = new long[4];

        public Sum() {}

        public Sum(Sum other) {
            System.arraycopy(other.w, 0, w, 0, 4);
        }

        /** Adds a 32-byte digest (big-endian 256-bit number). */
        public Sum add(byte[] digest) {
            long carry = 0;
            for (int i = 3; i >= 0; i--) {
                long x = word(digest, i);
                long s = w[i] + x;
                long c1 = Long.compareUnsigned(s, w[i]) < 0 ? 1 : 0;
                long t = s + carry;
                long c2 = Long.compareUnsigned(t, s) < 0 ? 1 : 0;
                w[i] = t;
                carry = c1 | c2;
            }
            return this;
        }

        /** Subtracts a 32-byte digest added before (or not: the arithmetic is modulo 2^256 either way). */
        public Sum subtract(byte[] digest) {
            long borrow = 0;
            for (int i = 3; i >= 0; i--) {
                long x = word(digest, i);
                long d = w[i] - x;
                long b1 = Long.compareUnsigned(w[i], x) < 0 ? 1 : 0;
                long t = d - borrow;
                long b2 = Long.compareUnsigned(d, borrow) < 0 ? 1 : 0;
                w[i] = t;
                borrow = b1 | b2;
            }
            return this;
        }

        public void clear() {
            java.util.Arrays.fill(w, 0);
        }

        /** The hash: 64 lowercase hex digits, most significant first. */
        public String hex() {
            StringBuilder s = new StringBuilder(64);
            for (long x : w) {
                String h = Long.toHexString(x);
                s.repeat('0', 16 - h.length()).append(h);
            }
            return s.toString();
        }

        private static long word(byte[] digest, int i) {
            if (digest.length != 32) {
                throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + digest.length);
            }
            long v = 0;
            for (int k = 0; k < 8; k++) {
                v = (v << 8) | (digest[i * 8 + k] & 0xff);
            }
            return v;
        }
    }
}
