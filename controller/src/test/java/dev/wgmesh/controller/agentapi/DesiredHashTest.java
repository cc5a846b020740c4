package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Property test: after any sequence of changes a session's incrementally kept hash equals the contract's hash of its
 * desired configuration computed from scratch ({@link ConfigHashes#hash}, canonicalising every peer again).
 */
class DesiredHashTest {
    private final Random random = new Random(11);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private ConfigEntry randomPeer(ByteString key) {
        PeerConfig.Builder p = PeerConfig.newBuilder()
                .setPublicKey(key)
                .setName("p" + random.nextInt(3))
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

    private InterfaceConfig randomInterface(int step) {
        return InterfaceConfig.newBuilder()
                .addAddresses("10.1.0." + step % 250 + "/32")
                .setMtu(1280 + random.nextInt(3))
                .build();
    }

    @Test
    void everyChangeGivesTheReferenceHash() {
        AgentSession s = new AgentSession(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                true,
                new AgentSessionTest.FakeStream(),
                scheduler,
                new AgentSession.Listener() {
                    @Override
                    public void sent(AgentSession session, long revision, String hash) {}

                    @Override
                    public void lowOnRevisions(AgentSession session) {}

                    @Override
                    public long reserveRevisions(AgentSession session) {
                        return 0;
                    }
                });
        assertThat(s.desiredHash()).isEqualTo(ConfigHashes.hash(s.desiredConfig()));
        List<ConfigEntry> initial = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            initial.add(randomPeer(randomKey()));
        }
        s.replaceAll(randomInterface(0), initial);
        assertThat(s.desiredHash()).isEqualTo(ConfigHashes.hash(s.desiredConfig()));
        for (int step = 0; step < 400; step++) {
            List<ByteString> keys = s.desiredConfig().getPeersList().stream()
                    .map(PeerConfig::getPublicKey)
                    .toList();
            int op = random.nextInt(12);
            if (op < 4 || keys.isEmpty()) { // add
                ConfigEntry e = randomPeer(randomKey());
                s.apply(e.config().getPublicKey(), e);
            } else if (op < 6) { // remove, sometimes a key that is not there
                s.apply(op == 5 ? randomKey() : keys.get(random.nextInt(keys.size())), null);
            } else if (op < 9) { // change (or the same entry again)
                ByteString k = keys.get(random.nextInt(keys.size()));
                s.apply(k, randomPeer(k));
            } else if (op < 11) { // interface
                s.applyInterface(randomInterface(step));
            } else { // wholesale, keeping some peers
                List<ConfigEntry> next = new ArrayList<>();
                for (ByteString k : keys) {
                    if (random.nextBoolean()) {
                        next.add(randomPeer(k));
                    }
                }
                next.add(randomPeer(randomKey()));
                s.replaceAll(randomInterface(step), next);
            }
            assertThat(s.desiredHash()).as("step %d", step).isEqualTo(ConfigHashes.hash(s.desiredConfig()));
        }
        s.replaceAll(InterfaceConfig.getDefaultInstance(), List.of());
        assertThat(s.desiredHash())
                .isEqualTo(ConfigHashes.hash(dev.wgmesh.proto.v1.NetworkConfig.getDefaultInstance()));
    }
}
