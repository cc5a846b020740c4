package dev.wgmesh.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.HttpTestClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The zero-config default: no datasource settings at all, so the embedded file-backed H2 is used. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wgmesh.grpc.port=0")
class HealthOnEmbeddedH2Test {
    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("wgmesh.data-dir", dataDir::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Test
    void startsOnFileBackedH2UnderTheDataDirectory() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("H2");
            assertThat(c.getMetaData().getURL()).contains(dataDir.toString());
            try (var rs = c.createStatement()
                    .executeQuery(
                            "SELECT setting_value FROM information_schema.settings WHERE setting_name = 'MODE'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("PostgreSQL");
            }
        }
        assertThat(Files.exists(dataDir.resolve("wgmesh.mv.db"))).isTrue();
        var response = new HttpTestClient(port).get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"UP\"");
    }
}
