package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PeerTable} against a {@link HashMap} under random puts, replacements, removals and clears. */
class PeerTableTest {
    @Test
    void behavesLikeAMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            int keySpace = 1 + random.nextInt(600); // small spaces: long probe runs, many removals inside them
            List<ByteString> keys = new ArrayList<>();
            for (int i = 0; i < keySpace; i++) {
                // Keys sharing hash codes mod small powers of two make runs that wrap around the table's end.
                byte[] k = new byte[32];
                random.nextBytes(k);
                keys.add(ByteString.copyFrom(k));
            }
            PeerTable table = new PeerTable();
            Map<ByteString, ConfigEntry> reference = new HashMap<>();
            for (int step = 0; step < 5_000; step++) {
                ByteString key = keys.get(random.nextInt(keySpace));
                int op = random.nextInt(100);
                if (op < 55) {
                    ConfigEntry e = entry(key, random.nextInt(3));
                    assertThat(table.put(e)).as("seed %d step %d", seed, step).isSameAs(reference.put(key, e));
                } else if (op < 98) {
                    assertThat(table.remove(key))
                            .as("seed %d step %d", seed, step)
                            .isSameAs(reference.remove(key));
                } else if (op < 99) {
                    table.clear();
                    reference.clear();
                } else {
                    assertThat(table.toMap()).isEqualTo(reference);
                }
                assertThat(table.get(key)).isSameAs(reference.get(key));
                assertThat(table.size()).isEqualTo(reference.size());
            }
            for (ByteString k : keys) {
                assertThat(table.get(k)).isSameAs(reference.get(k));
            }
            assertThat(table.toMap()).isEqualTo(reference);
        }
    }

    @Test
    void sortedIsInUnsignedKeyOrder() {
        PeerTable table = new PeerTable();
        for (int b : new int[] {0x80, 0x01, 0xff, 0x7f, 0x00}) {
            table.put(entry(ByteString.copyFrom(new byte[] {(byte) b}), 0));
        }
        assertThat(table.sorted().stream().map(e -> PeerTable.keyOf(e).byteAt(0) & 0xff))
                .containsExactly(0x00, 0x01, 0x7f, 0x80, 0xff);
    }

    private static ConfigEntry entry(ByteString key, int variant) {
        return ConfigEntry.of(
                PeerConfig.newBuilder().setPublicKey(key).setName("p" + variant).build());
    }
}
