package dev.wgmesh.controller.agentapi;

import com.google.protobuf.CodedOutputStream;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One peer of an agent's configuration together with its canonical encoding as it appears inside the canonical
 * {@code NetworkConfig} (field tag, length, bytes). Lets {@link #hash} compute exactly {@link ConfigHashes#hash}
 * without rebuilding every peer: the deterministic serialisation of a message whose only fields are one message and a
 * repeated message is the concatenation of the fields' encodings in field order.
 */
record ConfigEntry(PeerConfig config, byte[] canonicalField) {
    private static final int INTERFACE_FIELD = 1;
    private static final int PEERS_FIELD = 2;

    static ConfigEntry of(PeerConfig config) {
        PeerConfig canonical = ConfigHashes.canonical(
                        NetworkConfig.newBuilder().addPeers(config).build())
                .getPeers(0);
        return new ConfigEntry(config, field(PEERS_FIELD, canonical.toByteArray()));
    }

    /** Canonical encoding of the interface field (always present in the canonical form, even when empty). */
    static byte[] interfaceField(InterfaceConfig iface) {
        InterfaceConfig canonical = ConfigHashes.canonical(
                        NetworkConfig.newBuilder().setInterfaceConfig(iface).build())
                .getInterfaceConfig();
        return field(INTERFACE_FIELD, canonical.toByteArray());
    }

    /** Same value as {@link ConfigHashes#hash} of the config made of this interface and these peers (sorted). */
    static String hash(byte[] interfaceField, Iterable<ConfigEntry> peersSortedByKey) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
        sha.update(interfaceField);
        for (ConfigEntry e : peersSortedByKey) {
            sha.update(e.canonicalField);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Tag, length and bytes of a length-delimited field, encoded into an array of exactly that size. */
    private static byte[] field(int number, byte[] message) {
        byte[] out = new byte[CodedOutputStream.computeByteArraySize(number, message)];
        try {
            CodedOutputStream coded = CodedOutputStream.newInstance(out);
            coded.writeByteArray(number, message);
            coded.checkNoSpaceLeft();
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Same peer, same canonical encoding and same operator-facing extras (name, probe). */
    boolean sameAs(ConfigEntry other) {
        return other != null && (other == this || config.equals(other.config));
    }
}
