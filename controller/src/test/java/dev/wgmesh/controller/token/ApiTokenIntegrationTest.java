package dev.wgmesh.controller.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.security.LoginThrottle;
import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class ApiTokenIntegrationTest {
    private static final Pattern SECRET = Pattern.compile("\"secret\":\"(wgm_[0-9a-f]{32}_[A-Za-z0-9_-]{43})\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    LoginThrottle throttle;

    ApiTestClient admin;

    @BeforeEach
    void login() {
        throttle.reset();
        admin = ApiTestClient.loggedInAsAdmin(port);
    }

    private String[] create(String scope) {
        HttpResponse<String> r =
                admin.post("/api/v1/tokens", "{\"name\":\"ci-" + UUID.randomUUID() + "\",\"scope\":\"" + scope + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        Matcher secret = SECRET.matcher(r.body());
        Matcher id = ID.matcher(r.body());
        assertThat(secret.find()).isTrue();
        assertThat(id.find()).isTrue();
        return new String[] {id.group(1), secret.group(1)};
    }

    @Test
    void secretIsShownOnceAndStoredOnlyAsItsHash() {
        String[] token = create("READ");
        String stored = jdbc.queryForObject(
                "SELECT secret_sha256 FROM api_token WHERE id = ?", String.class, UUID.fromString(token[0]));
        assertThat(stored).isEqualTo(OpaqueSecret.sha256Hex(token[1])).doesNotContain(token[1].substring(37));
        String list = admin.get("/api/v1/tokens").body();
        assertThat(list).contains(token[0]).doesNotContain(token[1]).doesNotContain("secret");
        assertThat(admin.get("/api/v1/audit?targetType=api_token&targetId=" + token[0])
                        .body())
                .contains("\"action\":\"api_token.created\"")
                .contains("\"actor\":\"admin\"")
                .doesNotContain(token[1]);
    }

    @Test
    void readTokenActsAsViewerWithoutSessionOrCsrf() {
        ApiTestClient script = ApiTestClient.withBearer(port, create("READ")[1]);
        HttpResponse<String> me = script.get("/api/v1/me");
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body())
                .contains("\"role\":\"VIEWER\"")
                .contains("\"via\":\"TOKEN\"")
                .contains("token:ci-");
        // Stateless: neither a session nor a CSRF cookie (nothing for a script to carry, nothing generated per call).
        assertThat(me.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(script.post("/api/v1/auth/logout", null).statusCode()).isEqualTo(204);
        assertThat(script.get("/api/v1/tokens").statusCode()).isEqualTo(403);
        assertThat(script.post("/api/v1/tokens", "{\"name\":\"x\",\"scope\":\"READ\"}")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void writeTokenActsAsAdminAndNeedsNoCsrfToken() {
        ApiTestClient script = ApiTestClient.withBearer(port, create("WRITE")[1]);
        assertThat(script.get("/api/v1/me").body()).contains("\"role\":\"ADMIN\"");
        assertThat(script.post("/api/v1/tokens", "{\"name\":\"made-by-token\",\"scope\":\"READ\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(jdbc.queryForObject("SELECT created_by FROM api_token WHERE name = 'made-by-token'", String.class))
                .startsWith("token:ci-");
    }

    @Test
    void expiredRevokedWrongAndMalformedTokensGet401() {
        String[] expired = create("WRITE");
        jdbc.update(
                "UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = ?",
                UUID.fromString(expired[0]));
        String[] revoked = create("WRITE");
        // Used once before the revocation, so its row is in the verified-token cache: revoking must still apply at
        // once.
        assertThat(ApiTestClient.withBearer(port, revoked[1]).get("/api/v1/me").statusCode())
                .isEqualTo(200);
        assertThat(admin.delete("/api/v1/tokens/" + revoked[0]).statusCode()).isEqualTo(200);
        String[] valid = create("WRITE");
        char last = valid[1].charAt(valid[1].length() - 1);
        String wrongSecret = valid[1].substring(0, valid[1].length() - 1) + (last == 'A' ? 'B' : 'A');
        String unknownId = ApiTokenService.SECRETS.generate(UUID.randomUUID());

        for (String bad : new String[] {expired[1], revoked[1], wrongSecret, unknownId, "not-a-token", ""}) {
            HttpResponse<String> r = ApiTestClient.withBearer(port, bad).get("/api/v1/me");
            assertThat(r.statusCode()).as(bad).isEqualTo(401);
            if (!bad.isEmpty()) {
                assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                        .contains("invalid_token");
            }
        }
        assertThat(ApiTestClient.withBearer(port, valid[1]).get("/api/v1/me").statusCode())
                .isEqualTo(200);
    }

    @Test
    void aBadBearerTokenIsRejectedEvenWithAValidSessionCookie() {
        admin.withHeader("Authorization", "Bearer wgm_bogus");
        assertThat(admin.get("/api/v1/me").statusCode()).isEqualTo(401);
    }

    @Test
    void lastUsedIsRecordedButNotOnEveryRequest() {
        String[] token = create("READ");
        UUID id = UUID.fromString(token[0]);
        assertThat(jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", Timestamp.class, id))
                .isNull();
        ApiTestClient script = ApiTestClient.withBearer(port, token[1]);
        assertThat(script.get("/api/v1/me").statusCode()).isEqualTo(200);
        Timestamp first = jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", Timestamp.class, id);
        assertThat(first).isNotNull();
        assertThat(script.get("/api/v1/me").statusCode()).isEqualTo(200);
        Timestamp second = jdbc.queryForObject("SELECT last_used_at FROM api_token WHERE id = ?", Timestamp.class, id);
        assertThat(second).isEqualTo(first); // within the 60 s throttle interval
    }

    @Test
    void badRequestsChangeNothing() {
        long before = jdbc.queryForObject("SELECT count(*) FROM api_token", Long.class);
        assertThat(admin.post("/api/v1/tokens", "{\"name\":\"\",\"scope\":\"READ\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post("/api/v1/tokens", "{\"name\":\"x\",\"scope\":\"ROOT\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post(
                                "/api/v1/tokens",
                                "{\"name\":\"x\",\"scope\":\"READ\",\"expiresAt\":\"2000-01-01T00:00:00Z\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post(
                                "/api/v1/tokens",
                                "{\"name\":\"x\",\"scope\":\"READ\",\"expiresAt\":\"2999-01-01T00:00:00Z\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post("/api/v1/tokens", "{not json").statusCode()).isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_token", Long.class))
                .isEqualTo(before);
        assertThat(admin.delete("/api/v1/tokens/" + UUID.randomUUID()).statusCode())
                .isEqualTo(404);
    }
}
