package dev.wgmesh.proto.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class ConfigHashesTest {
    private static PeerConfig peer(int keyByte, String... allowed) {
        byte[] key = new byte[32];
        key[0] = (byte) keyByte;
        return PeerConfig.newBuilder()
                .setPublicKey(ByteString.copyFrom(key))
                .setEndpoint("192.0.2." + (keyByte & 0x7f) + ":51820")
                .addAllAllowedIps(java.util.List.of(allowed))
                .build();
    }

    private static NetworkConfig config(PeerConfig... peers) {
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0.1/24")
                        .setMtu(1420)
                        .build())
                .addAllPeers(java.util.List.of(peers))
                .build();
    }

    @Test
    void orderOfPeersAndPrefixesDoesNotMatter() {
        String a = ConfigHashes.hash(config(peer(1, "10.0.0.0/24", "10.1.0.0/24"), peer(0xf0, "10.2.0.0/24")));
        String b = ConfigHashes.hash(config(peer(0xf0, "10.2.0.0/24"), peer(1, "10.1.0.0/24", "10.0.0.0/24")));
        assertThat(a).isEqualTo(b).hasSize(64).matches("[0-9a-f]+");
    }

    @Test
    void everyDataPlaneFieldChangesTheHash() {
        String base = ConfigHashes.hash(config(peer(1, "10.0.0.0/24")));
        assertThat(ConfigHashes.hash(config(peer(2, "10.0.0.0/24")))).isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/25")))).isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24").toBuilder()
                        .setPresharedKey(ByteString.copyFrom(new byte[32]))
                        .build())))
                .isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24").toBuilder()
                        .setPersistentKeepaliveSeconds(25)
                        .build())))
                .isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24")).toBuilder()
                        .setInterfaceConfig(InterfaceConfig.newBuilder()
                                .addAddresses("10.99.0.1/24")
                                .setMtu(1380))
                        .build()))
                .isNotEqualTo(base);
    }

    @Test
    void namesAndProbeSettingsDoNotChangeTheHash() {
        String base = ConfigHashes.hash(config(peer(1, "10.0.0.0/24")));
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24").toBuilder()
                        .setName("branch-office")
                        .setProbe(true)
                        .setProbeAddress("10.0.0.1")
                        .build())))
                .isEqualTo(base);
    }

    @Test
    void peersWithUnsignedHighBytesSortAfterLowOnes() {
        NetworkConfig canonical = ConfigHashes.canonical(config(peer(0x80), peer(0x01)));
        assertThat(canonical.getPeers(0).getPublicKey().byteAt(0)).isEqualTo((byte) 0x01);
    }
}
