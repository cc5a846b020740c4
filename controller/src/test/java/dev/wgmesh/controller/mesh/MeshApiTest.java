package dev.wgmesh.controller.mesh;

import static dev.wgmesh.controller.support.Fixtures.map;
import static dev.wgmesh.controller.support.Fixtures.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.keys.WireGuardKeys;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** Mesh CRUD, validation (400 and the 409 conflicts) and plans, over REST on real PostgreSQL. */
@IntegrationTest
class MeshApiTest {
    @LocalServerPort
    int port;

    ApiClient api;
    Fixtures fx;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        fx = new Fixtures(api);
    }

    static String key() {
        return WireGuardKeys.generateKeyPair().publicKey();
    }

    static Map<String, Object> member(UUID site) {
        return map("siteId", site);
    }

    static Map<String, Object> mesh(String topology, List<UUID> hubs, List<Map<String, Object>> members) {
        return map("name", unique("mesh"), "topology", topology, "hubs", hubs, "members", members);
    }

    @Test
    void createReadUpdateDelete() {
        UUID net = fx.network("10.81.0.0/16", null);
        UUID a = fx.site(net, "192.168.81.0/24");
        UUID b = fx.site(net, "192.168.82.0/24");
        fx.agent(net, a, "198.51.100.1:51820", key());
        fx.agent(net, b, "198.51.100.2:51820", key());
        String base = "/api/v1/networks/" + net + "/meshes";

        var created = api.post(base, mesh("FULL_MESH", List.of(), List.of(member(a), member(b))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("revision").asLong()).isEqualTo(1);
        assertThat(created.json().get("stableRevision").asLong()).isZero();
        assertThat(created.text()).doesNotContain("secret");
        UUID id = created.id();

        var second = api.post(base, mesh("FULL_MESH", List.of(), List.of(member(a))));
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.text()).contains("already has mesh");

        var got = api.get(base + "/" + id);
        assertThat(got.status()).isEqualTo(200);
        String etag = got.header("ETag");
        assertThat(api.get(base).json().get("items").size()).isEqualTo(1);

        Map<String, Object> hubSpoke = mesh("HUB_AND_SPOKE", List.of(a), List.of(member(a), member(b)));
        var stale = api.put(base + "/" + id, hubSpoke, Map.of("If-Match", "\"99\""));
        assertThat(stale.status()).isEqualTo(412);
        var updated = api.put(base + "/" + id, hubSpoke, Map.of("If-Match", etag));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("revision").asLong()).isEqualTo(2);
        assertThat(updated.json().get("topology").asString()).isEqualTo("HUB_AND_SPOKE");

        var renamed = api.put(
                base + "/" + id,
                map(
                        "name",
                        "renamed",
                        "topology",
                        "HUB_AND_SPOKE",
                        "hubs",
                        List.of(a),
                        "members",
                        List.of(member(a), member(b))),
                Map.of());
        assertThat(renamed.json().get("revision").asLong())
                .as("a rename keeps the revision")
                .isEqualTo(2);

        var audit = api.get("/api/v1/audit?targetType=mesh&targetId=" + id);
        assertThat(audit.text()).contains("mesh.created", "mesh.updated");

        assertThat(api.delete(base + "/" + id, Map.of()).status()).isEqualTo(204);
        assertThat(api.get(base + "/" + id).status()).isEqualTo(404);
    }

    @Test
    void malformedSpecsAre400AndStoreNothing() {
        UUID net = fx.network("10.82.0.0/16", null);
        UUID a = fx.site(net, "192.168.83.0/24");
        UUID other = fx.site(fx.network("10.83.0.0/16", null), "192.168.84.0/24");
        String base = "/api/v1/networks/" + net + "/meshes";

        var r = api.post(
                base,
                map(
                        "name",
                        "bad name!",
                        "topology",
                        "FULL_MESH",
                        "hubs",
                        List.of(a),
                        "members",
                        List.of(
                                map("siteId", a, "endpoint", "no-port", "persistentKeepalive", 70000),
                                map("siteId", other),
                                map("siteId", a, "lanPrefixes", List.of("300.1.1.0/24")))));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        r.json().get("errors").forEach(e -> fields.add(e.get("field").asString()));
        assertThat(fields)
                .contains(
                        "name",
                        "members[0].endpoint",
                        "members[0].persistentKeepalive",
                        "members[1].siteId",
                        "members[2].siteId",
                        "members[2].lanPrefixes[0]",
                        "hubs");
        assertThat(api.post(base, map("name", "x", "topology", "STAR")).status())
                .isEqualTo(400);
        assertThat(api.post(
                                base,
                                map(
                                        "name",
                                        "x",
                                        "topology",
                                        "EXPLICIT",
                                        "members",
                                        List.of(member(a)),
                                        "links",
                                        List.of(map("siteA", a, "siteB", a))))
                        .status())
                .isEqualTo(400);
        assertThat(api.get(base).json().get("items").size()).isZero();
    }

    @Test
    void unworkableSpecsAre409WithAnExplanation() {
        UUID net = fx.network("10.84.0.0/16", null);
        UUID a = fx.site(net, "192.168.85.0/24");
        UUID b = fx.site(net, "192.168.86.0/24");
        UUID natOnly1 = fx.site(net, "192.168.87.0/24");
        UUID natOnly2 = fx.site(net, "192.168.88.0/24");
        fx.agent(net, a, "198.51.100.5:51820", key());
        fx.agent(net, b, "198.51.100.6:51820", key());
        String base = "/api/v1/networks/" + net + "/meshes";

        var overlap = api.post(
                base,
                mesh(
                        "FULL_MESH",
                        List.of(),
                        List.of(member(a), map("siteId", b, "lanPrefixes", List.of("192.168.85.128/25")))));
        assertThat(overlap.status()).as(overlap.toString()).isEqualTo(409);
        assertThat(overlap.header("Content-Type")).contains("application/problem+json");
        JsonNode err = overlap.json().get("errors").get(0);
        assertThat(err.get("field").asString()).isEqualTo("members[1].lanPrefixes");
        assertThat(err.get("message").asString()).contains("192.168.85.128/25", "overlaps 192.168.85.0/24");

        var tunnel = api.post(
                base,
                mesh(
                        "FULL_MESH",
                        List.of(),
                        List.of(member(a), map("siteId", b, "lanPrefixes", List.of("10.84.1.0/24")))));
        assertThat(tunnel.status()).isEqualTo(409);
        assertThat(tunnel.text()).contains("tunnel prefix 10.84.0.0/16");

        var noHub = api.post(base, mesh("HUB_AND_SPOKE", List.of(), List.of(member(a), member(b))));
        assertThat(noHub.status()).isEqualTo(409);
        assertThat(noHub.json().get("errors").get(0).get("field").asString()).isEqualTo("hubs");

        // Two NATed sites linked only to each other: neither can reach the other.
        var unreachable = api.post(
                base,
                map(
                        "name",
                        unique("m"),
                        "topology",
                        "EXPLICIT",
                        "members",
                        List.of(member(a), member(natOnly1), member(natOnly2)),
                        "links",
                        List.of(map("siteA", natOnly1, "siteB", natOnly2))));
        assertThat(unreachable.status()).as(unreachable.toString()).isEqualTo(409);
        assertThat(unreachable.text()).contains("no reachable endpoint", "members[1].endpoint", "members[2].endpoint");

        // A NATed spoke is fine when its hub is reachable.
        var ok = api.post(base, mesh("HUB_AND_SPOKE", List.of(a), List.of(member(a), member(natOnly1))));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        assertThat(api.get("/api/v1/audit?targetType=mesh").text()).doesNotContain(overlap.text());
    }

    @Test
    void planShowsPerAgentDifferencesAndAppliesNothing() {
        UUID net = fx.network("10.85.0.0/16", null);
        UUID hub = fx.site(net, "192.168.90.0/24");
        UUID s1 = fx.site(net, "192.168.91.0/24");
        UUID s2 = fx.site(net, "192.168.92.0/24");
        UUID hubPeer = fx.agent(net, hub, "198.51.100.10:51820", key()).id();
        var s1Agent = fx.agent(net, s1, "198.51.100.11:51820", key());
        UUID s1Peer = s1Agent.id();
        UUID s2Peer = fx.agent(net, s2, "198.51.100.12:51820", key()).id();
        String s2Ip = api.get("/api/v1/networks/" + net + "/peers/" + s2Peer)
                .json()
                .get("tunnelIpv4")
                .asString();
        String base = "/api/v1/networks/" + net + "/meshes";
        UUID id = api.post(base, mesh("HUB_AND_SPOKE", List.of(hub), List.of(member(hub), member(s1), member(s2))))
                .id();

        var plan = api.post(base + "/" + id + "/plan", null);
        assertThat(plan.status()).as(plan.toString()).isEqualTo(200);
        JsonNode p = plan.json();
        assertThat(p.get("targetRevision").asLong()).isEqualTo(1);
        assertThat(p.get("agentsChanged").asInt()).isEqualTo(3);
        assertThat(p.get("agents").get(0).get("peerId").asString())
                .as("hub agents first")
                .isEqualTo(hubPeer.toString());
        JsonNode spoke = agent(p, s1Peer);
        assertThat(spoke.get("fromRevision").asLong()).isZero();
        assertThat(spoke.get("peersRemoved").get(0).get("peerId").asString()).isEqualTo(s2Peer.toString());
        JsonNode toHub = spoke.get("peersChanged").get(0);
        assertThat(toHub.get("peerId").asString()).isEqualTo(hubPeer.toString());
        assertThat(toHub.get("allowedIpsAdded").toString()).contains("192.168.92.0/24", s2Ip + "/32");
        assertThat(toHub.get("presharedKeyChanged").asBoolean()).isTrue();
        assertThat(spoke.get("routesAdded").size()).isZero();
        assertThat(plan.text()).doesNotContain("presharedKey\":\"");
        JsonNode hubPlan = agent(p, hubPeer);
        assertThat(hubPlan.get("peersRemoved").size()).isZero();

        // Nothing applied: planning again gives the same answer.
        assertThat(api.post(base + "/" + id + "/plan", null)
                        .json()
                        .get("agentsChanged")
                        .asInt())
                .isEqualTo(3);
    }

    static JsonNode agent(JsonNode plan, UUID peerId) {
        for (JsonNode a : plan.get("agents")) {
            if (a.get("peerId").asString().equals(peerId.toString())) {
                return a;
            }
        }
        throw new AssertionError("no plan for " + peerId + " in " + plan);
    }
}
