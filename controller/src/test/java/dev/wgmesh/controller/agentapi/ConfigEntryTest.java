package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The incremental hash equals the contract's {@link ConfigHashes#hash}, whatever the input order and content. */
class ConfigEntryTest {
    @Test
    void incrementalHashEqualsTheContractHash() {
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            InterfaceConfig iface = InterfaceConfig.newBuilder()
                    .addAddresses("10.0.0." + round + "/32")
                    .addAddresses("fd00::" + Integer.toHexString(round + 1) + "/128")
                    .setListenPort(round % 3 == 0 ? 0 : 51820 + round)
                    .setMtu(1420)
                    .addRoutes("192.168.2.0/24")
                    .addRoutes("192.168.1.0/24")
                    .build();
            List<PeerConfig> peers = new ArrayList<>();
            int n = random.nextInt(20);
            for (int i = 0; i < n; i++) {
                byte[] key = new byte[32];
                random.nextBytes(key);
                PeerConfig.Builder p = PeerConfig.newBuilder()
                        .setPublicKey(ByteString.copyFrom(key))
                        .setName("peer-" + i)
                        .addAllowedIps("10.0.1." + i + "/32")
                        .addAllowedIps("10.0.1." + i + "/32")
                        .setProbe(i % 2 == 0);
                if (random.nextBoolean()) {
                    byte[] psk = new byte[32];
                    random.nextBytes(psk);
                    p.setPresharedKey(ByteString.copyFrom(psk)).setEndpoint("192.0.2." + i + ":51820");
                }
                if (random.nextBoolean()) {
                    p.setPersistentKeepaliveSeconds(25).addAllowedIps("172.16." + i + ".0/24");
                }
                peers.add(p.build());
            }
            TreeMap<ByteString, ConfigEntry> sorted = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
            peers.forEach(p -> sorted.put(p.getPublicKey(), ConfigEntry.of(p)));
            String expected = ConfigHashes.hash(NetworkConfig.newBuilder()
                    .setInterfaceConfig(iface)
                    .addAllPeers(peers)
                    .build());
            assertThat(ConfigEntry.hash(ConfigEntry.interfaceDigest(iface), sorted.values()))
                    .isEqualTo(expected);
        }
    }

    @Test
    void emptyConfigHashesLikeTheContract() {
        assertThat(ConfigEntry.hash(ConfigEntry.interfaceDigest(InterfaceConfig.getDefaultInstance()), List.of()))
                .isEqualTo(ConfigHashes.hash(NetworkConfig.getDefaultInstance()));
    }
}
