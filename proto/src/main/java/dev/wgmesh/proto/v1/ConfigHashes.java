package dev.wgmesh.proto.v1;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The configuration hash both sides of the contract compute (see {@code Ack.config_hash}): the controller for the
 * configuration it wants an agent to run, the agent for the configuration it actually runs. Equal hashes mean no
 * drift.
 *
 * <p>Canonical form: peers sorted by public key (unsigned bytes), every list of prefixes or addresses sorted and
 * de-duplicated, names and probe settings excluded (they do not change what the data plane does), then
 * deterministic protobuf serialisation and SHA-256, as lowercase hex.
 */
public final class ConfigHashes {
    private static final Comparator<ByteString> UNSIGNED = ByteString.unsignedLexicographicalComparator();

    private ConfigHashes() {}

    public static String hash(NetworkConfig config) {
        return sha256Hex(canonical(config));
    }

    /** The canonical form whose serialisation is hashed. */
    public static NetworkConfig canonical(NetworkConfig config) {
        InterfaceConfig i = config.getInterfaceConfig();
        InterfaceConfig iface = InterfaceConfig.newBuilder()
                .addAllAddresses(sorted(i.getAddressesList()))
                .setListenPort(i.getListenPort())
                .setMtu(i.getMtu())
                .addAllRoutes(sorted(i.getRoutesList()))
                .addAllLocalLanPrefixes(sorted(i.getLocalLanPrefixesList()))
                .build();
        List<PeerConfig> peers = new ArrayList<>(config.getPeersCount());
        for (PeerConfig p : config.getPeersList()) {
            peers.add(PeerConfig.newBuilder()
                    .setPublicKey(p.getPublicKey())
                    .setPresharedKey(p.getPresharedKey())
                    .setEndpoint(p.getEndpoint())
                    .setPersistentKeepaliveSeconds(p.getPersistentKeepaliveSeconds())
                    .addAllAllowedIps(sorted(p.getAllowedIpsList()))
                    .build());
        }
        peers.sort((a, b) -> UNSIGNED.compare(a.getPublicKey(), b.getPublicKey()));
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(iface)
                .addAllPeers(peers)
                .build();
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().distinct().sorted().toList();
    }

    private static String sha256Hex(NetworkConfig canonical) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(canonical.getSerializedSize());
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            canonical.writeTo(out);
            out.flush();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", ex);
        }
    }
}
