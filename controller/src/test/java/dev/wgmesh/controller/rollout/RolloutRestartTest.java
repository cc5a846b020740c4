package dev.wgmesh.controller.rollout;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.WgmeshControllerApplication;
import dev.wgmesh.controller.agentapi.AgentGrpcServer;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.LocalPostgres;
import dev.wgmesh.controller.support.TestAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A controller stopped in the middle of a rollout (between two waves) and a new controller on the same database:
 * the new one carries on from the last committed step, the agents reconnect to it, and the rollout completes.
 */
class RolloutRestartTest {
    private static ConfigurableApplicationContext start(LocalPostgres db, Path dataDir) {
        return new SpringApplicationBuilder(WgmeshControllerApplication.class)
                .run(
                        "--server.port=0",
                        "--wgmesh.grpc.port=0",
                        "--wgmesh.data-dir=" + dataDir,
                        "--wgmesh.admin.username=" + TestAdmin.USERNAME,
                        "--wgmesh.admin.password=" + TestAdmin.PASSWORD,
                        "--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.user(),
                        "--spring.datasource.password=" + db.password());
    }

    private static int httpPort(ConfigurableApplicationContext c) {
        return ((WebServerApplicationContext) c).getWebServer().getPort();
    }

    @Test
    void aRestartedControllerCarriesOnTheRollout() throws Exception {
        LocalPostgres db = LocalPostgres.createFreshDatabase();
        Path dataDir = Files.createTempDirectory("wgmesh-restart");
        ConfigurableApplicationContext first = start(db, dataDir);
        ConfigurableApplicationContext second = null;
        MeshLab lab = null;
        try {
            lab = new MeshLab(
                    new ApiClient(httpPort(first)),
                    first.getBean(AgentGrpcServer.class).port(),
                    "10.96.0.0/16",
                    60,
                    3);
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            UUID r = lab.startRollout(
                    mesh, map("canarySize", 1, "waveSize", 1, "pauseSeconds", 5, "healthGates", false));
            lab.await(mesh, r, x -> x.get("currentWave").asInt() == 1, "canary passed");
            first.close();

            second = start(db, dataDir);
            lab.reconnect(
                    new ApiClient(httpPort(second)),
                    second.getBean(AgentGrpcServer.class).port());
            MeshLab l = lab;
            JsonNode done = lab.awaitState(mesh, r, "COMPLETED");
            assertThat(done.get("waveCount").asInt()).isEqualTo(3);
            assertThat(lab.eventKinds(mesh, r).stream().filter("wave.passed"::equals))
                    .hasSize(3);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    int ii = i;
                    int jj = j;
                    if (i != j) {
                        lab.agents
                                .get(i)
                                .await(
                                        c -> !MeshLab.entry(c, l.agents.get(jj).wireguardPublicKey())
                                                .orElseThrow()
                                                .getPresharedKey()
                                                .isEmpty(),
                                        MeshLab.WAIT);
                    }
                }
            }
            assertThat(lab.psk(0, 1)).isEqualTo(lab.psk(1, 0));
        } finally {
            if (lab != null) {
                lab.close();
            }
            if (second != null) {
                second.close();
            }
            first.close();
            db.drop();
        }
    }
}
