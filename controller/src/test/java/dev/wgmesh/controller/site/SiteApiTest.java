package dev.wgmesh.controller.site;

import static dev.wgmesh.controller.support.Fixtures.map;
import static dev.wgmesh.controller.support.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.keys.WireGuardKeys;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

@IntegrationTest
class SiteApiTest {
    @LocalServerPort
    int port;

    ApiClient api;
    Fixtures fx;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        fx = new Fixtures(api);
    }

    @Test
    void lanPrefixesMustBeValidAndDisjoint() {
        UUID net = fx.network("10.70.0.0/16", "fd00:70::/64");
        String sites = "/api/v1/networks/" + net + "/sites";
        UUID office = fx.site(net, "192.168.10.0/24", "2001:db8:10::/48");

        var overlapsOther = api.post(sites, map("name", unique("s"), "lanPrefixes", List.of("192.168.10.128/25")));
        assertThat(overlapsOther.status()).isEqualTo(400);
        assertThat(overlapsOther.json().get("errors").get(0).get("field").asString())
                .isEqualTo("lanPrefixes[0]");
        assertThat(overlapsOther.text()).contains("overlaps 192.168.10.0/24 of site");

        var overlapsTunnel = api.post(sites, map("name", unique("s"), "lanPrefixes", List.of("10.0.0.0/8")));
        assertThat(overlapsTunnel.status()).isEqualTo(400);
        assertThat(overlapsTunnel.text()).contains("tunnel prefix 10.70.0.0/16");

        var overlapsItself = api.post(
                sites, map("name", unique("s"), "lanPrefixes", List.of("172.16.0.0/12", "172.20.0.0/16", "bogus")));
        assertThat(overlapsItself.status()).isEqualTo(400);
        assertThat(overlapsItself
                        .json()
                        .get("errors")
                        .valueStream()
                        .map(e -> e.get("field").asString())
                        .toList())
                .containsExactly("lanPrefixes[1]", "lanPrefixes[2]");

        assertThat(api.get(sites + "?size=10").json().get("totalItems").asInt()).isEqualTo(1);

        // An update may keep its own prefixes (no self-overlap) and add disjoint ones.
        String officeName = api.get(sites + "/" + office).json().get("name").asString();
        var update = api.put(
                sites + "/" + office,
                map("name", officeName, "lanPrefixes", List.of("192.168.10.0/24", "192.168.11.0/24")),
                Map.of("If-Match", "\"0\""));
        assertThat(update.status()).as(update.toString()).isEqualTo(200);
        assertThat(update.json().get("lanPrefixes")).hasSize(2);
    }

    @Test
    void siteWithPeersCannotBeDeletedAndNetworkWithSitesNeither() {
        UUID net = fx.network("10.71.0.0/24", null);
        UUID site = fx.site(net, "192.168.71.0/24");
        var agent = fx.agent(
                net, site, "203.0.113.7:51820", WireGuardKeys.generateKeyPair().publicKey());
        String sitePath = "/api/v1/networks/" + net + "/sites/" + site;
        assertThat(api.delete(sitePath, Map.of()).status()).isEqualTo(409);
        assertThat(api.delete("/api/v1/networks/" + net + "/peers/" + agent.id(), Map.of())
                        .status())
                .isEqualTo(204);
        assertThat(api.delete("/api/v1/networks/" + net, Map.of()).status()).isEqualTo(409);
        assertThat(api.delete(sitePath, Map.of()).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/networks/" + net, Map.of()).status()).isEqualTo(204);
    }

    @Test
    void tunnelPrefixCannotMoveOntoASiteLan() {
        UUID net = fx.network("10.72.0.0/24", null);
        fx.site(net, "10.73.0.0/24");
        String name = api.get("/api/v1/networks/" + net).json().get("name").asString();
        var r = api.put("/api/v1/networks/" + net, map("name", name, "ipv4Prefix", "10.73.0.0/16"), Map.of());
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("ipv4Prefix");
    }
}
