package dev.wgmesh.controller.peer;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The zero-config database runs the same SQL: allocation ({@code ON CONFLICT DO NOTHING}, NUMERIC host indexes),
 * preshared-key creation and the audit log work on H2 in PostgreSQL mode too.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "wgmesh.grpc.port=0")
class PeerOnEmbeddedH2Test {
    @TempDir
    static Path dataDir;

    @DynamicPropertySource
    static void dataDir(DynamicPropertyRegistry registry) {
        registry.add("wgmesh.data-dir", dataDir::toString);
    }

    @LocalServerPort
    int port;

    @Test
    void allocatesExportsAndAuditsOnH2() {
        ApiClient api = new ApiClient(port);
        Fixtures fx = new Fixtures(api);
        UUID net = fx.network("10.98.0.0/29", "fd00:98::/64");
        Set<String> v4 = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            v4.add(fx.device(net, map()).json().get("tunnelIpv4").asString());
        }
        assertThat(v4).hasSize(6);
        var full = api.post("/api/v1/networks/" + net + "/peers", map("name", "seventh", "kind", "DEVICE"));
        assertThat(full.status()).isEqualTo(409);
        var dup = api.post(
                "/api/v1/networks/" + net + "/peers",
                map("name", "seventh", "kind", "DEVICE", "tunnelIpv4", "10.98.0.1"));
        assertThat(dup.status()).isEqualTo(409);
        var items = api.get("/api/v1/networks/" + net + "/peers?size=1").json();
        UUID first = UUID.fromString(items.get("items").get(0).get("id").asString());
        var conf = api.get("/api/v1/networks/" + net + "/peers/" + first + "/config");
        assertThat(conf.status()).as(conf.toString()).isEqualTo(200);
        assertThat(conf.text()).contains("[Interface]").contains("Address = 10.98.0.");
        assertThat(api.get("/api/v1/audit").json().get("totalItems").asInt()).isGreaterThanOrEqualTo(8);
    }
}
