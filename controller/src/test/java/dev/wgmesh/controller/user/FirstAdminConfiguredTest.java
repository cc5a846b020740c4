package dev.wgmesh.controller.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/** wgmesh.admin.* configured: that account is created at start-up, and its password is never logged. */
@IntegrationTest
@TestPropertySource(properties = {"wgmesh.admin.username=Root-Op", "wgmesh.admin.password=configured-pass-123"})
@ExtendWith(OutputCaptureExtension.class)
class FirstAdminConfiguredTest {
    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    FirstAdminBootstrap bootstrap;

    @Test
    void createsTheConfiguredAdminOnceAndNeverLogsItsPassword(CapturedOutput output) {
        assertThat(jdbc.queryForList("SELECT username, role FROM app_user"))
                .singleElement()
                .satisfies(row -> {
                    assertThat(row.get("username")).isEqualTo("root-op");
                    assertThat(row.get("role")).isEqualTo("ADMIN");
                });
        var me = ApiTestClient.loggedIn(port, "root-op", "configured-pass-123").get("/api/v1/me");
        assertThat(me.body()).contains("\"role\":\"ADMIN\"");

        assertThat(bootstrap.createFirstAdminIfNoUsers()).isFalse(); // users exist: a restart changes nothing
        assertThat(jdbc.queryForObject("SELECT count(*) FROM app_user", Long.class))
                .isEqualTo(1);
        assertThat(output.getAll()).doesNotContain("configured-pass-123");
    }
}
