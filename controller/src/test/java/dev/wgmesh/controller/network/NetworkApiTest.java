package dev.wgmesh.controller.network;

import static dev.wgmesh.controller.support.Fixtures.map;
import static dev.wgmesh.controller.support.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.keys.WireGuardKeys;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class NetworkApiTest {
    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    ApiClient api;
    Fixtures fx;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        fx = new Fixtures(api);
    }

    @Test
    void createReadUpdateDeleteWithETags() {
        String name = unique("net");
        var created = api.post(
                "/api/v1/networks",
                map("name", name, "ipv4Prefix", "10.50.0.0/24", "ipv6Prefix", "fd00:50::/64", "mtu", 1380));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String path = "/api/v1/networks/" + created.id();
        assertThat(created.header("Location")).endsWith(path);
        assertThat(created.json().get("mtu").asInt()).isEqualTo(1380);
        assertThat(created.json().get("ipv6Prefix").asString()).isEqualTo("fd00:50::/64");

        var read = api.get(path);
        assertThat(read.status()).isEqualTo(200);
        String etag = read.header("ETag");
        assertThat(etag).isEqualTo("\"0\"");

        Map<String, Object> change = map("name", name, "ipv4Prefix", "10.50.0.0/24", "dnsServers", List.of("1.1.1.1"));
        var stale = api.put(path, change, Map.of("If-Match", "\"41\""));
        assertThat(stale.status()).as(stale.toString()).isEqualTo(412);
        assertThat(api.get(path).json().get("dnsServers")).isEmpty(); // nothing changed

        var updated = api.put(path, change, Map.of("If-Match", etag));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.header("ETag")).isEqualTo("\"1\"");
        assertThat(updated.json().get("dnsServers").get(0).asString()).isEqualTo("1.1.1.1");
        assertThat(updated.json().get("ipv6Prefix").isNull()).isTrue();

        assertThat(api.delete(path, Map.of("If-Match", etag)).status()).isEqualTo(412);
        assertThat(api.delete(path, Map.of("If-Match", "\"1\"")).status()).isEqualTo(204);
        assertThat(api.get(path).status()).isEqualTo(404);
    }

    @Test
    void validationReportsEveryBadFieldAndStoresNothing() {
        Integer before = jdbc.queryForObject("SELECT count(*) FROM network", Integer.class);
        var r = api.post(
                "/api/v1/networks",
                map(
                        "name", "bad name!",
                        "ipv4Prefix", "10.0.0.1/24",
                        "ipv6Prefix", "10.0.0.0/8",
                        "mtu", 100,
                        "dnsServers", List.of("not a host")));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        var fields = r.json()
                .get("errors")
                .valueStream()
                .map(e -> e.get("field").asString())
                .toList();
        assertThat(fields).containsExactlyInAnyOrder("name", "ipv4Prefix", "ipv6Prefix", "mtu", "dnsServers[0]");
        assertThat(r.text()).contains("did you mean 10.0.0.0/24");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM network", Integer.class))
                .isEqualTo(before);
    }

    @Test
    void duplicateNameIsAConflict() {
        String name = unique("net");
        assertThat(api.post("/api/v1/networks", map("name", name, "ipv4Prefix", "10.51.0.0/24"))
                        .status())
                .isEqualTo(201);
        var dup = api.post("/api/v1/networks", map("name", name, "ipv4Prefix", "10.52.0.0/24"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.json().get("errors").get(0).get("field").asString()).isEqualTo("name");
    }

    @Test
    void networkWithPeersKeepsItsPrefixesAndCannotBeDeleted() {
        var net = fx.network("10.53.0.0/24", null);
        String path = "/api/v1/networks/" + net;
        String name = api.get(path).json().get("name").asString();
        fx.agent(
                net, null, "198.51.100.1:51820", WireGuardKeys.generateKeyPair().publicKey());

        var move = api.put(path, map("name", name, "ipv4Prefix", "10.54.0.0/24"), Map.of());
        assertThat(move.status()).as(move.toString()).isEqualTo(409);
        assertThat(move.text()).contains("cannot change while the network has 1 peer");
        var keepPrefix = api.put(path, map("name", name, "ipv4Prefix", "10.53.0.0/24", "mtu", 1400), Map.of());
        assertThat(keepPrefix.status()).isEqualTo(200);
        var del = api.delete(path, Map.of());
        assertThat(del.status()).isEqualTo(409);
        assertThat(del.text()).contains("still has 1 peer");
    }

    @Test
    void listsArePagedSortedAndFiltered() {
        String tag = unique("lst");
        for (int i = 0; i < 3; i++) {
            api.post("/api/v1/networks", map("name", tag + "-" + i, "ipv4Prefix", "10.60." + i + ".0/24"));
        }
        var page = api.get("/api/v1/networks?name=" + tag + "&size=2&sort=name,desc");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().get("totalItems").asInt()).isEqualTo(3);
        assertThat(page.json().get("totalPages").asInt()).isEqualTo(2);
        assertThat(page.json().get("items").get(0).get("name").asString()).isEqualTo(tag + "-2");
        assertThat(api.get("/api/v1/networks?sort=secret").status()).isEqualTo(400);
    }
}
