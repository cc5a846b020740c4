package dev.wgmesh.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.HttpTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class HealthOnPostgresTest {
    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void runsOnRealPostgresAndReportsUp() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
        }
        var response = new HttpTestClient(port).get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void flywayMigratedTheSchema() {
        Integer applied =
                jdbc.queryForObject("SELECT count(*) FROM flyway_schema_history WHERE success", Integer.class);
        assertThat(applied).isPositive();
        // Other test classes share this context (and database), so the table need not be empty: it must exist.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM network", Integer.class))
                .isNotNull();
    }

    @Test
    void servesTheDashboard() throws Exception {
        var response = new HttpTestClient(port).get("/");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("<div id=\"root\">");
    }
}
