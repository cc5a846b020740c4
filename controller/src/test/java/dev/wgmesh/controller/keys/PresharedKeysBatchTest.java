package dev.wgmesh.controller.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@link PresharedKeys#forLinks}: the same keys as {@link PresharedKeys#forLink}, one row per link, either end. */
@IntegrationTest
class PresharedKeysBatchTest {
    @LocalServerPort
    int port;

    @Autowired
    PresharedKeys keys;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void batchCreatesTheMissingKeysAndAgreesWithSingleLinks() {
        Fixtures fx = new Fixtures(new ApiClient(port));
        UUID net = fx.network("10.71.0.0/24", null);
        UUID device = fx.device(net, Map.of()).id();
        List<UUID> agents = List.of(agent(fx, net, 1), agent(fx, net, 2), agent(fx, net, 3));
        String existing = keys.forLink(agents.get(1), device).reveal(); // created one link at a time, other order

        Map<UUID, WireGuardSecret> batch = keys.forLinks(device, agents);
        assertThat(batch).containsOnlyKeys(agents);
        assertThat(batch.get(agents.get(1)).reveal()).isEqualTo(existing);
        assertThat(batch.values().stream().map(WireGuardSecret::reveal).distinct())
                .hasSize(3);
        for (UUID a : agents) {
            assertThat(keys.forLink(a, device).reveal()).isEqualTo(batch.get(a).reveal());
            // From the agent's end, the link to the device is the same key.
            assertThat(keys.forLinks(a, List.of(device)).get(device).reveal())
                    .isEqualTo(batch.get(a).reveal());
        }
        assertThat(keys.forLinks(device, agents)).allSatisfy((a, k) -> assertThat(k.reveal())
                .isEqualTo(batch.get(a).reveal()));
        assertThat(linkRows(device)).isEqualTo(3);
        assertThat(keys.forLinks(device, List.of(device))).isEmpty(); // no link to itself
    }

    @Test
    void aDeviceWithoutKeysGetsAllItsLinksInOneGoAndDuplicatesCollapse() {
        Fixtures fx = new Fixtures(new ApiClient(port));
        UUID net = fx.network("10.72.0.0/24", null);
        UUID device = fx.device(net, Map.of()).id();
        List<UUID> agents = List.of(agent(fx, net, 1), agent(fx, net, 2));
        List<UUID> asked = List.of(agents.get(0), agents.get(1), agents.get(0), device);

        Map<UUID, WireGuardSecret> batch = keys.forLinks(device, asked);

        assertThat(batch).containsOnlyKeys(agents);
        for (UUID a : agents) {
            assertThat(keys.forLink(device, a).reveal()).isEqualTo(batch.get(a).reveal());
        }
        assertThat(linkRows(device)).isEqualTo(2);
    }

    private Integer linkRows(UUID peer) {
        return jdbc.queryForObject(
                "SELECT COUNT(*) FROM preshared_key WHERE peer_low = ? OR peer_high = ?", Integer.class, peer, peer);
    }

    private static UUID agent(Fixtures fx, UUID net, int i) {
        return fx.agent(
                        net,
                        null,
                        "192.0.2." + i + ":51820",
                        WireGuardKeys.generateKeyPair().publicKey())
                .id();
    }
}
