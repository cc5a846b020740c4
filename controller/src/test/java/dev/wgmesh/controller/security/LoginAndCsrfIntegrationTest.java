package dev.wgmesh.controller.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.support.TestAdmin;
import dev.wgmesh.controller.user.Role;
import dev.wgmesh.controller.user.UserService;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class LoginAndCsrfIntegrationTest {
    @LocalServerPort
    int port;

    @Autowired
    LoginThrottle throttle;

    @Autowired
    UserService users;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void forgetFailures() {
        throttle.reset();
    }

    @Test
    void loginGivesAnHttpOnlyLaxSessionCookieAndAReadableCsrfCookie() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        HttpResponse<String> login = client.login(TestAdmin.USERNAME, TestAdmin.PASSWORD);

        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("\"username\":\"admin\"").contains("\"role\":\"ADMIN\"");
        List<String> setCookies = login.headers().allValues("Set-Cookie");
        String session = setCookies.stream()
                .filter(c -> c.startsWith("SESSION="))
                .findFirst()
                .orElseThrow();
        assertThat(session).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");
        String xsrf = setCookies.stream()
                .filter(c -> c.startsWith("XSRF-TOKEN="))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertThat(xsrf).doesNotContainIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");

        HttpResponse<String> me = client.get("/api/v1/me");
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"name\":\"admin\"").contains("\"via\":\"SESSION\"");
    }

    @Test
    void usernamesAreCaseInsensitive() {
        assertThat(ApiTestClient.anonymous(port)
                        .login("ADMIN", TestAdmin.PASSWORD)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void wrongPasswordAndUnknownUserAreTheSame401ProblemAndNoSession() {
        for (String user : List.of(TestAdmin.USERNAME, "nobody-" + UUID.randomUUID())) {
            ApiTestClient client = ApiTestClient.anonymous(port);
            HttpResponse<String> r = client.login(user, "wrong-password-123");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(r.body()).contains("Invalid username or password");
            assertThat(client.cookie("SESSION")).isEmpty();
            assertThat(client.get("/api/v1/me").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void overlongCredentialsAreAPlain401() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        assertThat(client.login(TestAdmin.USERNAME, "x".repeat(500)).statusCode())
                .isEqualTo(401);
        assertThat(client.login("u".repeat(5000), "whatever-password").statusCode())
                .isEqualTo(401);
    }

    @Test
    void loginOnlyAcceptsJson() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        var r = client.send("POST", "/api/v1/auth/login?username=admin&password=" + TestAdmin.PASSWORD, null);
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(client.get("/api/v1/me").statusCode()).isEqualTo(401);
    }

    @Test
    void anonymousApiCallsAre401ProblemsWithABearerChallengeAndCreateNoSession() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        HttpResponse<String> r = client.get("/api/v1/me");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"wgmesh\"");
        assertThat(r.body()).contains("\"status\":401");
        assertThat(client.cookie("SESSION")).isEmpty();
        assertThat(client.cookie("XSRF-TOKEN")).isPresent();
    }

    @Test
    void sessionWritesNeedTheCsrfToken() {
        ApiTestClient admin = ApiTestClient.loggedInAsAdmin(port);
        String body = newUserJson();

        HttpResponse<String> withoutToken =
                ApiTestClient.loggedInAsAdmin(port).withoutCsrfHeader().post("/api/v1/users", body);
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        assertThat(withoutToken.body()).contains("CSRF");

        assertThat(admin.post("/api/v1/users", body).statusCode()).isEqualTo(201);
    }

    @Test
    void aForgedCsrfHeaderIsRejected() {
        ApiTestClient admin = ApiTestClient.loggedInAsAdmin(port);
        admin.withoutCsrfHeader()
                .withHeader(
                        "X-XSRF-TOKEN", "forged-" + admin.cookie("XSRF-TOKEN").orElseThrow());
        var r = admin.send("POST", "/api/v1/auth/logout", null);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(admin.get("/api/v1/me").statusCode()).isEqualTo(200);
    }

    @Test
    void logoutEndsTheSession() {
        ApiTestClient admin = ApiTestClient.loggedInAsAdmin(port);
        assertThat(admin.post("/api/v1/auth/logout", null).statusCode()).isEqualTo(204);
        assertThat(admin.get("/api/v1/me").statusCode()).isEqualTo(401);
    }

    @Test
    void sessionsLiveInTheDatabaseSoEveryReplicaSeesThem() {
        String name = "replica-" + UUID.randomUUID().toString().substring(0, 8);
        users.create(name, "replica-password-1", Role.VIEWER);
        ApiTestClient client = ApiTestClient.loggedIn(port, name, "replica-password-1");
        String sql = "SELECT count(*) FROM spring_session WHERE principal_name = ?";
        assertThat(jdbc.queryForObject(sql, Long.class, name)).isEqualTo(1);
        assertThat(client.post("/api/v1/auth/logout", null).statusCode()).isEqualTo(204);
        assertThat(jdbc.queryForObject(sql, Long.class, name)).isZero();
    }

    @Test
    void deletingAUserEndsTheirSessionsAndRoleChangesApplyAtOnce() {
        String name = "temp-" + UUID.randomUUID().toString().substring(0, 8);
        var created = users.create(name, "temporary-password-1", Role.ADMIN);
        ApiTestClient temp = ApiTestClient.loggedIn(port, name, "temporary-password-1");
        assertThat(temp.post("/api/v1/users", newUserJson()).statusCode()).isEqualTo(201);

        users.changeRole(created.id(), Role.VIEWER);
        assertThat(temp.post("/api/v1/users", newUserJson()).statusCode()).isEqualTo(403);
        assertThat(temp.get("/api/v1/me").body()).contains("\"role\":\"VIEWER\"");

        users.delete(created.id());
        assertThat(temp.get("/api/v1/me").statusCode()).isEqualTo(401);
    }

    @Test
    void dashboardAndHealthArePublicPrometheusIsNot() {
        ApiTestClient anonymous = ApiTestClient.anonymous(port);
        assertThat(anonymous.get("/").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/index.html").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/prometheus").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/v3/api-docs").statusCode()).isEqualTo(401);
        assertThat(anonymous.get("/swagger-ui/index.html").statusCode()).isEqualTo(401);
        assertThat(ApiTestClient.loggedInAsAdmin(port)
                        .get("/actuator/prometheus")
                        .statusCode())
                .isEqualTo(200);
    }

    private static String newUserJson() {
        return "{\"username\":\"u-" + UUID.randomUUID().toString().substring(0, 8)
                + "\",\"password\":\"a-long-enough-password\",\"role\":\"VIEWER\"}";
    }
}
