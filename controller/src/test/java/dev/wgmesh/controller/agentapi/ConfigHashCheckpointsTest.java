package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Property test: after any sequence of changes the checkpointed hash equals the from-scratch reference. */
class ConfigHashCheckpointsTest {
    private final Random random = new Random(11);

    private ConfigEntry randomPeer(ByteString key) {
        PeerConfig.Builder p = PeerConfig.newBuilder()
                .setPublicKey(key)
                .setEndpoint(random.nextBoolean() ? "" : "192.0.2." + random.nextInt(255) + ":51820")
                .setPersistentKeepaliveSeconds(random.nextInt(3) * 25)
                .addAllowedIps("10.1." + random.nextInt(255) + "." + random.nextInt(255) + "/32");
        if (random.nextInt(4) == 0) {
            byte[] psk = new byte[32];
            random.nextBytes(psk);
            p.setPresharedKey(ByteString.copyFrom(psk));
        }
        return ConfigEntry.of(p.build());
    }

    private ByteString randomKey() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return ByteString.copyFrom(key);
    }

    @Test
    void everyChangeGivesTheReferenceHash() {
        TreeMap<ByteString, ConfigEntry> peers = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
        ConfigHashCheckpoints hasher = new ConfigHashCheckpoints();
        byte[] iface = ConfigEntry.interfaceField(
                InterfaceConfig.newBuilder().addAddresses("10.1.0.1/32").build());
        for (int i = 0; i < 700; i++) {
            ConfigEntry e = randomPeer(randomKey());
            peers.put(e.config().getPublicKey(), e);
        }
        assertThat(hasher.hash(iface, peers)).isEqualTo(ConfigEntry.hash(iface, peers.values()));
        assertThat(hasher.size()).isEqualTo(700 / ConfigHashCheckpoints.STRIDE);
        for (int step = 0; step < 400; step++) {
            List<ByteString> keys = new ArrayList<>(peers.keySet());
            int op = random.nextInt(10);
            if (op < 4 || keys.isEmpty()) { // add
                ConfigEntry e = randomPeer(randomKey());
                peers.put(e.config().getPublicKey(), e);
                hasher.invalidateFrom(e.config().getPublicKey());
            } else if (op < 7) { // remove
                ByteString k = keys.get(random.nextInt(keys.size()));
                peers.remove(k);
                hasher.invalidateFrom(k);
            } else if (op < 9) { // change
                ByteString k = keys.get(random.nextInt(keys.size()));
                peers.put(k, randomPeer(k));
                hasher.invalidateFrom(k);
            } else { // interface
                iface = ConfigEntry.interfaceField(InterfaceConfig.newBuilder()
                        .addAddresses("10.1.0." + step % 250 + "/32")
                        .setMtu(1280 + step)
                        .build());
                hasher.invalidateAll();
            }
            if (random.nextInt(3) > 0) { // sometimes several changes before the next hash
                assertThat(hasher.hash(iface, peers))
                        .as("step %d", step)
                        .isEqualTo(ConfigEntry.hash(iface, peers.values()));
            }
        }
        peers.clear();
        hasher.invalidateAll();
        assertThat(hasher.hash(iface, peers)).isEqualTo(ConfigEntry.hash(iface, List.of()));
    }
}
