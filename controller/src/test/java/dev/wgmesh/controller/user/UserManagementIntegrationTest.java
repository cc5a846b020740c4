package dev.wgmesh.controller.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.controller.security.LoginThrottle;
import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class UserManagementIntegrationTest {
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    UserService users;

    @Autowired
    LoginThrottle throttle;

    ApiTestClient admin;

    @BeforeEach
    void login() {
        throttle.reset();
        admin = ApiTestClient.loggedInAsAdmin(port);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String createViaApi(String name, String role) {
        HttpResponse<String> r = admin.post(
                "/api/v1/users",
                "{\"username\":\"" + name + "\",\"password\":\"a-long-enough-password\",\"role\":\"" + role + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).startsWith("/api/v1/users/"));
        Matcher m = ID.matcher(r.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void adminCreatesAViewerWhoCanReadButNotWrite() {
        String name = unique("viewer");
        createViaApi(name, "VIEWER");
        String hash = jdbc.queryForObject("SELECT password_hash FROM app_user WHERE username = ?", String.class, name);
        assertThat(hash).startsWith("{bcrypt}").doesNotContain("a-long-enough-password");

        ApiTestClient viewer = ApiTestClient.loggedIn(port, name, "a-long-enough-password");
        assertThat(viewer.get("/api/v1/me").body()).contains("\"role\":\"VIEWER\"");
        assertThat(viewer.get("/api/v1/users").statusCode()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/users", "{}").statusCode()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/auth/logout", null).statusCode()).isEqualTo(204);
    }

    @Test
    void listShowsUsersWithoutHashes() {
        String body = admin.get("/api/v1/users").body();
        assertThat(body)
                .contains("\"username\":\"admin\"")
                .doesNotContain("password")
                .doesNotContain("bcrypt");
    }

    @Test
    void rejectsDuplicatesAndBadInputWithoutChangingAnything() {
        String name = unique("dup");
        createViaApi(name, "VIEWER");
        long before = jdbc.queryForObject("SELECT count(*) FROM app_user", Long.class);
        String upper = name.toUpperCase();
        assertThat(admin.post(
                                "/api/v1/users",
                                "{\"username\":\"" + upper
                                        + "\",\"password\":\"a-long-enough-password\",\"role\":\"VIEWER\"}")
                        .statusCode())
                .isEqualTo(409);
        assertThat(admin.post("/api/v1/users", "{\"username\":\"ok-name\",\"password\":\"short\",\"role\":\"VIEWER\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post(
                                "/api/v1/users",
                                "{\"username\":\"ok-name\",\"password\":\"" + "x".repeat(73)
                                        + "\",\"role\":\"VIEWER\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post(
                                "/api/v1/users",
                                "{\"username\":\"bad name!\",\"password\":\"a-long-enough-password\",\"role\":\"VIEWER\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(admin.post(
                                "/api/v1/users",
                                "{\"username\":\"ok-name\",\"password\":\"a-long-enough-password\",\"role\":\"ROOT\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM app_user", Long.class))
                .isEqualTo(before);
    }

    @Test
    void changesRolesAndDeletes() {
        String id = createViaApi(unique("promote"), "VIEWER");
        HttpResponse<String> r = admin.put("/api/v1/users/" + id + "/role", "{\"role\":\"ADMIN\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"role\":\"ADMIN\"");
        assertThat(admin.delete("/api/v1/users/" + id).statusCode()).isEqualTo(204);
        assertThat(admin.delete("/api/v1/users/" + id).statusCode()).isEqualTo(404);
        String audit = admin.get("/api/v1/audit?targetType=user&targetId=" + id).body();
        assertThat(audit)
                .contains("\"action\":\"user.created\"")
                .contains("\"action\":\"user.role_changed\"")
                .contains("\"action\":\"user.deleted\"")
                .contains("\"actor\":\"admin\"")
                .doesNotContain("password");
        assertThat(admin.put("/api/v1/users/" + UUID.randomUUID() + "/role", "{\"role\":\"ADMIN\"}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void adminSetsAPasswordTheOldOneAndItsSessionsStopWorking() {
        String name = unique("pw");
        String id = createViaApi(name, "VIEWER");
        ApiTestClient oldSession = ApiTestClient.loggedIn(port, name, "a-long-enough-password");
        assertThat(admin.put("/api/v1/users/" + id + "/password", "{\"password\":\"short\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(oldSession.get("/api/v1/me").statusCode()).isEqualTo(200); // a refused change ends nothing
        assertThat(admin.put("/api/v1/users/" + id + "/password", "{\"password\":\"a-brand-new-password\"}")
                        .statusCode())
                .isEqualTo(204);
        assertThat(oldSession.get("/api/v1/me").statusCode()).isEqualTo(401); // sessions end with the password
        assertThat(ApiTestClient.anonymous(port)
                        .login(name, "a-long-enough-password")
                        .statusCode())
                .isEqualTo(401);
        assertThat(ApiTestClient.anonymous(port)
                        .login(name, "a-brand-new-password")
                        .statusCode())
                .isEqualTo(200);
        assertThat(admin.put(
                                "/api/v1/users/" + UUID.randomUUID() + "/password",
                                "{\"password\":\"a-brand-new-password\"}")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void theLastAdminCannotBeDemotedOrDeleted() {
        // Leave exactly one admin: demote every other admin first.
        UUID keep = users.findByUsername("admin").orElseThrow().id();
        for (UserView u : users.list()) {
            if (u.role() == Role.ADMIN && !u.id().equals(keep)) {
                users.changeRole(u.id(), Role.VIEWER);
            }
        }
        assertThat(admin.put("/api/v1/users/" + keep + "/role", "{\"role\":\"VIEWER\"}")
                        .statusCode())
                .isEqualTo(409);
        assertThat(admin.delete("/api/v1/users/" + keep).statusCode()).isEqualTo(409);
        assertThatThrownBy(() -> users.delete(keep)).isInstanceOf(LastAdminException.class);
        assertThat(users.findByUsername("admin")).map(UserView::role).hasValue(Role.ADMIN);
    }
}
