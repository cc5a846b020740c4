package dev.wgmesh.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTranslatorTest {
    private static ByteString key(int b) {
        byte[] k = new byte[32];
        k[31] = (byte) b;
        return ByteString.copyFrom(k);
    }

    private static PeerConfig peer(int b) {
        return PeerConfig.newBuilder()
                .setPublicKey(key(b))
                .setPresharedKey(key(100 + b))
                .setEndpoint("192.0.2." + b + ":51820")
                .setPersistentKeepaliveSeconds(25)
                .addAllowedIps("10.99.0." + b + "/32")
                .addAllowedIps("192.168." + b + ".0/24")
                .setName("site-" + b)
                .build();
    }

    private static final InterfaceConfig IFACE = InterfaceConfig.newBuilder()
            .addAddresses("10.99.0.1/24")
            .setListenPort(51820)
            .setMtu(1420)
            .build();

    @Test
    void snapshotReplacesAllPeers() {
        ConfigChange c = ConfigTranslator.fromSnapshot(NetworkConfig.newBuilder()
                .setInterfaceConfig(IFACE)
                .addPeers(peer(2))
                .addPeers(peer(3))
                .build());
        assertThat(c.replacePeers()).isTrue();
        assertThat(c.listenPort()).isEqualTo(51820);
        assertThat(c.peers()).hasSize(2);
        var p = c.peers().getFirst();
        assertThat(p.replaceAllowedIps()).isTrue();
        assertThat(p.allowedIps()).containsExactly(IpPrefix.parse("10.99.0.2/32"), IpPrefix.parse("192.168.2.0/24"));
        assertThat(p.endpoint()).isEqualTo("192.0.2.2:51820");
        assertThat(p.presharedKey()).isEqualTo(key(102).toByteArray());
    }

    @Test
    void deltaRemovesAndUpsertsOnlyTheNamedPeers() {
        ConfigChange c = ConfigTranslator.fromDelta(Delta.newBuilder()
                .setFromRevision(4)
                .setRevision(5)
                .addRemovedPeerKeys(key(7))
                .addUpsertedPeers(peer(8).toBuilder().clearPresharedKey().clearEndpoint())
                .build());
        assertThat(c.replacePeers()).isFalse();
        assertThat(c.listenPort()).isNull();
        assertThat(c.peers().get(0).remove()).isTrue();
        var upsert = c.peers().get(1);
        assertThat(upsert.presharedKey()).containsOnly(0);
        assertThat(upsert.endpoint())
                .as("unknown endpoint keeps the roamed one")
                .isNull();
    }

    @Test
    void anyMalformedPeerRejectsTheWholeRevisionWithoutKeyMaterial() {
        NetworkConfig bad = NetworkConfig.newBuilder()
                .addPeers(peer(2))
                .addPeers(peer(3).toBuilder().setPublicKey(ByteString.copyFrom(new byte[31])))
                .build();
        assertThatThrownBy(() -> ConfigTranslator.fromSnapshot(bad))
                .hasMessageContaining("peer 'site-3' public_key must be 32 bytes");
        assertThatThrownBy(() -> ConfigTranslator.fromSnapshot(NetworkConfig.newBuilder()
                        .addPeers(peer(2).toBuilder().addAllowedIps("10.0.0.0/33"))
                        .build()))
                .hasMessageContaining("allowed IP");
        assertThatThrownBy(() -> ConfigTranslator.fromSnapshot(NetworkConfig.newBuilder()
                        .addPeers(peer(2).toBuilder().setEndpoint("example.com:1"))
                        .build()))
                .hasMessageContaining("endpoint");
        assertThatThrownBy(() -> ConfigTranslator.fromSnapshot(NetworkConfig.newBuilder()
                        .addPeers(peer(2))
                        .addPeers(peer(2))
                        .build()))
                .hasMessageContaining("twice");
    }

    @Test
    void runningConfigHashesLikeTheDesiredOneDespiteRoaming() {
        NetworkConfig desired = NetworkConfig.newBuilder()
                .setInterfaceConfig(IFACE)
                .addPeers(peer(3))
                .addPeers(peer(2))
                .build();
        // The device reports what it runs: same peers, but peer 2 roamed to another endpoint.
        DeviceConfig device = new DeviceConfig(
                new byte[32],
                51820,
                0,
                List.of(runningPeer(peer(2), "198.51.100.9:40000"), runningPeer(peer(3), "192.0.2.3:51820")));
        Map<ByteString, String> configured = Map.of(key(2), "192.0.2.2:51820", key(3), "192.0.2.3:51820");
        NetworkConfig running = ConfigTranslator.running(device, IFACE, configured);
        assertThat(ConfigHashes.hash(running)).isEqualTo(ConfigHashes.hash(desired));

        DeviceConfig drifted = new DeviceConfig(new byte[32], 51820, 0, List.of(runningPeer(peer(2), null)));
        assertThat(ConfigHashes.hash(ConfigTranslator.running(drifted, IFACE, configured)))
                .isNotEqualTo(ConfigHashes.hash(desired));
    }

    private static DeviceConfig.PeerConfig runningPeer(PeerConfig p, String endpoint) {
        return new DeviceConfig.PeerConfig(
                p.getPublicKey().toByteArray(),
                p.getPresharedKey().toByteArray(),
                endpoint,
                p.getPersistentKeepaliveSeconds(),
                p.getAllowedIpsList().stream().map(IpPrefix::parse).toList(),
                0,
                0,
                0);
    }
}
