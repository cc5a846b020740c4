package dev.wgmesh.controller.peer;

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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class PeerApiTest {
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

    private String peers(UUID net) {
        return "/api/v1/networks/" + net + "/peers";
    }

    private int rows(String table, UUID net) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE network_id = ?", Integer.class, net);
    }

    @Test
    void devicesGetGeneratedKeysThatNeverLeaveExceptInTheConfig() {
        UUID net = fx.network("10.80.0.0/24", "fd00:80::/64");
        var dev = fx.device(net, Map.of("tags", List.of("laptop")));
        var body = dev.json();
        assertThat(WireGuardKeys.validatePublicKey(body.get("publicKey").asString()))
                .isNull();
        assertThat(body.get("controllerHoldsPrivateKey").asBoolean()).isTrue();
        assertThat(body.get("tunnelIpv4").asString()).isEqualTo("10.80.0.1");
        assertThat(body.get("tunnelIpv6").asString()).isEqualTo("fd00:80::1");
        assertThat(body.has("privateKey")).isFalse();
        String sealed = jdbc.queryForObject("SELECT private_key_sealed FROM peer WHERE id = ?", String.class, dev.id());
        assertThat(sealed).startsWith("v1:");
        String privateKey = configPrivateKey(net, dev.id());
        assertThat(sealed).doesNotContain(privateKey);
        for (var r : List.of(api.get(peers(net)), api.get(peers(net) + "/" + dev.id()), api.get("/api/v1/audit"))) {
            assertThat(r.text()).doesNotContain(privateKey).doesNotContain(sealed);
        }
    }

    private String configPrivateKey(UUID net, UUID peer) {
        return api.get(peers(net) + "/" + peer + "/config")
                .text()
                .lines()
                .filter(l -> l.startsWith("PrivateKey = "))
                .findFirst()
                .orElseThrow()
                .substring("PrivateKey = ".length());
    }

    @Test
    void agentsNeedAValidPublicKeyAndStoreNoPrivateKey() {
        UUID net = fx.network("10.81.0.0/24", null);
        var missing = api.post(peers(net), map("name", unique("a"), "kind", "AGENT"));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors").get(0).get("field").asString()).isEqualTo("publicKey");
        var bad = api.post(peers(net), map("name", unique("a"), "kind", "AGENT", "publicKey", "c2hvcnQ="));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("32 bytes").doesNotContain("c2hvcnQ=");
        var ok = fx.agent(
                net,
                null,
                "[2001:db8::1]:51820",
                WireGuardKeys.generateKeyPair().publicKey());
        assertThat(ok.json().get("controllerHoldsPrivateKey").asBoolean()).isFalse();
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM peer WHERE id = ? AND private_key_sealed IS NULL",
                        Integer.class,
                        ok.id()))
                .isEqualTo(1);
        assertThat(rows("peer", net)).isEqualTo(1);
        assertThat(rows("ip_allocation", net)).isEqualTo(1);
    }

    @Test
    void duplicatesConflictAndLeaveNothingBehind() {
        UUID net = fx.network("10.82.0.0/24", "fd00:82::/64");
        String key = WireGuardKeys.generateKeyPair().publicKey();
        var first = fx.device(net, map("name", "phone", "publicKey", key));
        assertThat(first.json().get("controllerHoldsPrivateKey").asBoolean()).isFalse();

        var sameName = api.post(peers(net), map("name", "phone", "kind", "DEVICE"));
        assertThat(sameName.status()).isEqualTo(409);
        assertThat(sameName.json().get("errors").get(0).get("field").asString()).isEqualTo("name");

        UUID other = fx.network("10.83.0.0/24", null);
        var sameKey = api.post(peers(other), map("name", "tablet", "kind", "DEVICE", "publicKey", key));
        assertThat(sameKey.status()).isEqualTo(409);
        assertThat(sameKey.json().get("errors").get(0).get("field").asString()).isEqualTo("publicKey");

        assertThat(rows("peer", net)).isEqualTo(1);
        assertThat(rows("ip_allocation", net)).isEqualTo(2); // the failed attempt's reservations were released
        assertThat(rows("ip_allocation", other)).isZero();
        // The failed creations' audit entries and outbox rows rolled back with them.
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM audit_event WHERE action = 'peer.created' AND details LIKE ?",
                        Integer.class,
                        "%" + net + "%"))
                .isEqualTo(1);
        String peerChanges = "SELECT count(*) FROM change_outbox WHERE target_type = 'peer' AND network_id = ?";
        assertThat(jdbc.queryForObject(peerChanges, Integer.class, net)).isEqualTo(1);
        assertThat(jdbc.queryForObject(peerChanges, Integer.class, other)).isZero();
    }

    /** A creation accepts a site of the peer's own network only. */
    @Test
    void agentsJoinOnlyASiteOfTheirOwnNetwork() {
        UUID net = fx.network("10.88.0.0/24", null);
        UUID site = fx.site(net, "192.168.88.0/24");
        UUID other = fx.network("10.89.0.0/24", null);
        UUID otherSite = fx.site(other, "192.168.89.0/24");

        var inSite = fx.agent(
                net,
                site,
                "198.51.100.89:51820",
                WireGuardKeys.generateKeyPair().publicKey());
        assertThat(inSite.json().get("siteId").asString()).isEqualTo(site.toString());
        var foreign = api.post(
                peers(net),
                map(
                        "name",
                        unique("a"),
                        "kind",
                        "AGENT",
                        "siteId",
                        otherSite,
                        "publicKey",
                        WireGuardKeys.generateKeyPair().publicKey()));
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.json().get("errors").get(0).get("field").asString()).isEqualTo("siteId");
        assertThat(rows("peer", net)).isEqualTo(1);
        assertThat(rows("ip_allocation", net)).isEqualTo(1);
    }

    /** Peer and tags go in one statement on PostgreSQL: a conflict in either leaves neither, nor an address. */
    @Test
    void taggedCreationsStoreTheirTagsAndConflictAsAWhole() {
        UUID net = fx.network("10.84.0.0/24", "fd00:84::/64");
        var first = fx.device(net, map("name", "desk", "tags", List.of("office", "admin")));
        assertThat(jdbc.queryForList(
                        "SELECT tag FROM peer_tag WHERE peer_id = ? ORDER BY tag", String.class, first.id()))
                .containsExactly("admin", "office");

        var sameName =
                api.post(peers(net), map("name", "desk", "kind", "DEVICE", "tags", List.of("failed-create-tag")));
        assertThat(sameName.status()).isEqualTo(409);
        assertThat(sameName.json().get("errors").get(0).get("field").asString()).isEqualTo("name");

        assertThat(rows("peer", net)).isEqualTo(1);
        assertThat(rows("ip_allocation", net)).isEqualTo(2);
        assertThat(jdbc.queryForObject(
                        "SELECT count(*) FROM peer_tag t JOIN peer p ON p.id = t.peer_id WHERE p.network_id = ?",
                        Integer.class,
                        net))
                .isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM peer_tag WHERE tag = 'failed-create-tag'", Integer.class))
                .isZero();
    }

    @Test
    void staticAddressesAreCheckedAndFreedOnDelete() {
        UUID net = fx.network("10.84.0.0/29", null);
        String p = peers(net);
        var outside = api.post(p, map("name", unique("d"), "kind", "DEVICE", "tunnelIpv4", "10.85.0.1"));
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.text()).contains("outside the network prefix 10.84.0.0/29");
        var networkAddr = api.post(p, map("name", unique("d"), "kind", "DEVICE", "tunnelIpv4", "10.84.0.0"));
        assertThat(networkAddr.status()).isEqualTo(400);
        var broadcast = api.post(p, map("name", unique("d"), "kind", "DEVICE", "tunnelIpv4", "10.84.0.7"));
        assertThat(broadcast.status()).isEqualTo(400);
        assertThat(broadcast.text()).contains("broadcast");
        var v6WithoutPrefix = api.post(p, map("name", unique("d"), "kind", "DEVICE", "tunnelIpv6", "fd00::5"));
        assertThat(v6WithoutPrefix.status()).isEqualTo(400);

        var five = fx.device(net, map("tunnelIpv4", "10.84.0.5"));
        var taken = api.post(p, map("name", unique("d"), "kind", "DEVICE", "tunnelIpv4", "10.84.0.5"));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.json().get("errors").get(0).get("field").asString()).isEqualTo("tunnelIpv4");

        // /29: usable .1-.6. Next after the highest (.5) is .6, then the lowest gaps .1 .. .4, then full.
        List<String> got = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(fx.device(net, Map.of()).json().get("tunnelIpv4").asString());
        }
        assertThat(got).containsExactly("10.84.0.6", "10.84.0.1", "10.84.0.2", "10.84.0.3", "10.84.0.4");
        var full = api.post(p, map("name", unique("d"), "kind", "DEVICE"));
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.text()).contains("no free address left in 10.84.0.0/29");

        assertThat(api.delete(p + "/" + five.id(), Map.of()).status()).isEqualTo(204);
        assertThat(fx.device(net, Map.of()).json().get("tunnelIpv4").asString()).isEqualTo("10.84.0.5");
        assertThat(rows("ip_allocation", net)).isEqualTo(6);
    }

    @Test
    void listFiltersPagesAndSorts() {
        UUID net = fx.network("10.86.0.0/24", null);
        UUID site = fx.site(net, "192.168.86.0/24");
        fx.agent(
                net,
                site,
                "gw.example.net:51820",
                WireGuardKeys.generateKeyPair().publicKey());
        fx.device(net, map("name", "alice-laptop", "tags", List.of("staff", "laptop")));
        fx.device(net, map("name", "alice-phone", "tags", List.of("staff"), "enabled", false));
        fx.device(net, map("name", "bob_phone", "tags", List.of("contractor")));

        assertThat(names(api.get(peers(net) + "?name=ALICE"))).containsExactly("alice-laptop", "alice-phone");
        assertThat(names(api.get(peers(net) + "?tag=staff&sort=name,desc")))
                .containsExactly("alice-phone", "alice-laptop");
        assertThat(names(api.get(peers(net) + "?kind=DEVICE&enabled=true")))
                .containsExactly("alice-laptop", "bob_phone");
        assertThat(api.get(peers(net) + "?kind=AGENT&siteId=" + site)
                        .json()
                        .get("totalItems")
                        .asInt())
                .isEqualTo(1);
        assertThat(names(api.get(peers(net) + "?name=_"))).containsExactly("bob_phone"); // LIKE wildcard escaped
        var page = api.get(peers(net) + "?kind=DEVICE&size=2&page=1&sort=name");
        assertThat(names(page)).containsExactly("bob_phone");
        assertThat(page.json().get("totalItems").asInt()).isEqualTo(3);
        var tagged =
                api.get(peers(net) + "?name=alice-laptop").json().get("items").get(0);
        assertThat(tagged.get("tags").valueStream().map(t -> t.asString()).toList())
                .containsExactly("laptop", "staff");
        assertThat(api.get(peers(net) + "?kind=ROUTER").status()).isEqualTo(400);
        assertThat(api.get(peers(UUID.randomUUID())).status()).isEqualTo(404);
    }

    private static List<String> names(ApiClient.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json()
                .get("items")
                .valueStream()
                .map(i -> i.get("name").asString())
                .toList();
    }

    /** Pages pick their ids first and read the rows after: every sort still pages in order, nothing skipped or twice. */
    @Test
    void pagesWalkEverySortWithoutGapsOrRepeats() {
        UUID net = fx.network("10.87.0.0/24", null);
        List<String> created = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String name = "walk-" + (char) ('g' - i); // created in reverse name order
            fx.device(net, map("name", name, "tags", List.of(i % 2 == 0 ? "even" : "odd")));
            created.add(name);
        }
        List<String> byName = created.stream().sorted().toList();
        assertThat(walk(net, "sort=name,asc")).isEqualTo(byName);
        assertThat(walk(net, "sort=name,desc")).isEqualTo(byName.reversed());
        assertThat(walk(net, "sort=createdAt,asc")).containsExactlyInAnyOrderElementsOf(created);
        assertThat(walk(net, "sort=kind,asc"))
                .containsExactlyInAnyOrderElementsOf(created)
                .doesNotHaveDuplicates();
        assertThat(walk(net, "tag=even&sort=name,asc")).containsExactly("walk-a", "walk-c", "walk-e", "walk-g");
    }

    /** All names, fetched two per page. */
    private List<String> walk(UUID net, String query) {
        List<String> all = new java.util.ArrayList<>();
        for (int page = 0; page < 10; page++) {
            var r = api.get(peers(net) + "?size=2&page=" + page + "&" + query);
            assertThat(r.status()).isEqualTo(200);
            List<String> names = names(r);
            if (names.isEmpty()) {
                break;
            }
            all.addAll(names);
        }
        return all;
    }

    @Test
    void updateChangesMutableFieldsOnlyWithETags() {
        UUID net = fx.network("10.87.0.0/24", null);
        UUID site = fx.site(net, "192.168.87.0/24");
        String key = WireGuardKeys.generateKeyPair().publicKey();
        var agent = fx.agent(net, null, "198.51.100.87:51820", key);
        String path = peers(net) + "/" + agent.id();
        String name = agent.json().get("name").asString();

        var moved = api.put(
                path,
                map("name", name, "siteId", site, "endpoint", "198.51.100.88:51821", "tags", List.of("hq")),
                Map.of("If-Match", agent.header("ETag")));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().get("siteId").asString()).isEqualTo(site.toString());
        assertThat(moved.json().get("publicKey").asString()).isEqualTo(key);
        assertThat(moved.json().get("tunnelIpv4").asString())
                .isEqualTo(agent.json().get("tunnelIpv4").asString());

        var stale = api.put(path, map("name", name), Map.of("If-Match", agent.header("ETag")));
        assertThat(stale.status()).isEqualTo(412);
        var rekey = api.put(
                path,
                map("name", name, "publicKey", WireGuardKeys.generateKeyPair().publicKey()),
                Map.of());
        assertThat(rekey.status()).isEqualTo(400);
        assertThat(rekey.json().get("errors").get(0).get("field").asString()).isEqualTo("publicKey");
        var readdress = api.put(path, map("name", name, "tunnelIpv4", "10.87.0.200"), Map.of());
        assertThat(readdress.status()).isEqualTo(400);
        var deviceInSite = api.post(peers(net), map("name", unique("d"), "kind", "DEVICE", "siteId", site));
        assertThat(deviceInSite.status()).isEqualTo(400);
        var unknownSite = api.put(path, map("name", name, "siteId", UUID.randomUUID()), Map.of());
        assertThat(unknownSite.status()).isEqualTo(400);
        assertThat(api.get(path).header("ETag")).isEqualTo("\"1\"");
    }
}
