package dev.wgmesh.controller.enrolment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.token.ApiTokenService;
import dev.wgmesh.controller.token.TokenScope;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class EnrolmentKeyApiIntegrationTest {
    private static final Pattern SECRET = Pattern.compile("\"secret\":\"(wgek_[0-9a-f]{32}_[A-Za-z0-9_-]{43})\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ApiTokenService tokens;

    @Autowired
    EnrolmentKeyService keys;

    ApiTestClient admin;
    ApiTestClient viewer;
    UUID network;
    UUID other;

    @BeforeEach
    void setUp() {
        admin = ApiTestClient.withBearer(
                port, tokens.create("ek-admin", TokenScope.WRITE, null, "test").secret());
        viewer = ApiTestClient.withBearer(
                port, tokens.create("ek-viewer", TokenScope.READ, null, "test").secret());
        network = TestNetworks.insert(jdbc);
    }

    @AfterEach
    void removeNetworks() {
        TestNetworks.delete(jdbc, network);
        if (other != null) {
            TestNetworks.delete(jdbc, other);
        }
    }

    private String path() {
        return "/api/v1/networks/" + network + "/enrolment-keys";
    }

    @Test
    void adminCreatesViewerListsSecretShownOnceAndRedeemable() {
        HttpResponse<String> created = admin.post(path(), "{\"name\":\"rack-1\",\"reusable\":true,\"usageLimit\":10}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Matcher secret = SECRET.matcher(created.body());
        Matcher id = ID.matcher(created.body());
        assertThat(secret.find()).isTrue();
        assertThat(id.find()).isTrue();
        assertThat(created.body()).contains("\"createdBy\":\"token:ek-admin\"").contains("\"usageLimit\":10");

        HttpResponse<String> list = viewer.get(path());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(id.group(1)).contains("rack-1").doesNotContain(secret.group(1));

        assertThat(keys.redeem(secret.group(1)).networkId()).isEqualTo(network);
        assertThat(viewer.get(path()).body()).contains("\"useCount\":1");
        assertThat(admin.get("/api/v1/audit?targetType=enrolment_key&targetId=" + id.group(1))
                        .body())
                .contains("\"action\":\"enrolment_key.created\"")
                .contains("\"actor\":\"token:ek-admin\"")
                .doesNotContain(secret.group(1));
    }

    @Test
    void viewerCannotCreateOrRevoke() {
        assertThat(viewer.post(path(), "{}").statusCode()).isEqualTo(403);
        String created = admin.post(path(), "{}").body();
        Matcher id = ID.matcher(created);
        assertThat(id.find()).isTrue();
        assertThat(viewer.delete(path() + "/" + id.group(1)).statusCode()).isEqualTo(403);
        assertThat(viewer.get(path()).body()).doesNotContain("\"revokedAt\":\"");
    }

    @Test
    void revokeSetsRevokedAtAndTheKeyStopsWorking() {
        String created = admin.post(path(), "{\"reusable\":true}").body();
        Matcher id = ID.matcher(created);
        Matcher secret = SECRET.matcher(created);
        assertThat(id.find() && secret.find()).isTrue();
        HttpResponse<String> revoked = admin.delete(path() + "/" + id.group(1));
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(revoked.body()).contains("\"revokedAt\":\"");
        try {
            keys.redeem(secret.group(1));
            throw new AssertionError("revoked key redeemed");
        } catch (EnrolmentKeyRejectedException ex) {
            assertThat(ex.reason()).isEqualTo(EnrolmentKeyRejectedException.Reason.REVOKED);
        }
        // The key belongs to this network only.
        other = TestNetworks.insert(jdbc);
        assertThat(admin.delete("/api/v1/networks/" + other + "/enrolment-keys/" + id.group(1))
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void unknownNetworkAndBadBodiesAreErrorsThatChangeNothing() {
        String unknown = "/api/v1/networks/" + UUID.randomUUID() + "/enrolment-keys";
        assertThat(admin.get(unknown).statusCode()).isEqualTo(404);
        assertThat(admin.post(unknown, "{}").statusCode()).isEqualTo(404);
        assertThat(admin.post(path(), "{\"reusable\":false,\"usageLimit\":3}").statusCode())
                .isEqualTo(400);
        assertThat(admin.post(path(), "{\"usageLimit\":0}").statusCode()).isEqualTo(400);
        assertThat(admin.post(path(), "{\"expiresAt\":\"2001-01-01T00:00:00Z\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post(path(), "{\"siteId\":\"not-a-uuid\"}").statusCode())
                .isEqualTo(400);
        assertThat(admin.get("/api/v1/networks/not-a-uuid/enrolment-keys").statusCode())
                .isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM enrolment_key WHERE network_id = ?", Long.class, network))
                .isZero();
    }
}
