package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.agentapi.AgentTestSupport.enrolmentKey;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.hasPeer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.WgmeshControllerApplication;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Two controller replicas on one PostgreSQL database: a change made through replica A reaches an agent connected to
 * replica B (outbox + LISTEN/NOTIFY), the replicas share the CA, and a stream on one replica is superseded by a
 * newer stream of the same agent on the other; an agent revoked through one replica leaves the maps the other serves.
 */
@IntegrationTest
class TwoReplicasIntegrationTest {
    @LocalServerPort
    int port;

    @Autowired
    AgentGrpcServer grpcA;

    @Autowired
    ControllerCa caA;

    @Autowired
    Environment env;

    @Autowired
    javax.sql.DataSource dataSource;

    @Test
    void changeThroughOneReplicaReachesAnAgentOnTheOther() throws Exception {
        try (ConfigurableApplicationContext b = replicaB();
                SimulatedAgent onB = new SimulatedAgent(
                        "127.0.0.1", b.getBean(AgentGrpcServer.class).port(), "on-b")) {
            assertThat(b.getBean(ControllerCa.class).fingerprint()).isEqualTo(caA.fingerprint());
            ApiClient api = new ApiClient(port);
            Fixtures fx = new Fixtures(api);
            UUID net = fx.network("10.69.0.0/24", null);
            enrolAndConnect(api, net, onB);

            long start = System.nanoTime();
            var device = fx.device(net, Map.of()); // through replica A's REST API
            byte[] key =
                    Base64.getDecoder().decode(device.json().get("publicKey").asString());
            onB.await(c -> hasPeer(c, key), Duration.ofSeconds(4));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));

            // An agent on replica A revoked through replica A leaves the map of the agent on replica B.
            try (SimulatedAgent onA = new SimulatedAgent("127.0.0.1", grpcA.port(), "on-a")) {
                var idA = onA.enroll(
                        enrolmentKey(api, net, null, false).get("joinToken").asString());
                onA.connect();
                onB.await(c -> hasPeer(c, onA.wireguardPublicKey()), Duration.ofSeconds(10));
                var revoked = api.post("/api/v1/agents/" + idA.getAgentId() + "/revoke", Map.of());
                assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
                assertThat(onA.awaitClosed(Duration.ofSeconds(10)).getCode())
                        .isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
                onB.await(c -> !hasPeer(c, onA.wireguardPublicKey()), Duration.ofSeconds(10));
                assertThat(onB.hashMismatches()).isZero();
            }

            // The same agent connecting to replica A supersedes its stream on replica B.
            try (SimulatedAgent twinOnA = onB.twin(grpcA.port())) {
                twinOnA.connect();
                assertThat(onB.awaitClosed(Duration.ofSeconds(10)).getCode()).isEqualTo(io.grpc.Status.Code.ABORTED);
                AgentTestSupport.await("online on replica A", () -> {
                    var item = api.get("/api/v1/agents/" + onB.identity().getAgentId())
                            .json();
                    return item.get("online").asBoolean()
                            && !"replica-b".equals(item.get("connectedTo").asString());
                });
            }
        }
    }

    @Autowired
    AgentStateWriter writerA;

    @Test
    void aSessionOnTheOtherReplicaNeverReusesARevisionTheLastSessionSent() throws Exception {
        try (ConfigurableApplicationContext b = replicaB();
                SimulatedAgent onA = new SimulatedAgent("127.0.0.1", grpcA.port(), "reuse-on-a")) {
            ApiClient api = new ApiClient(port);
            Fixtures fx = new Fixtures(api);
            UUID net = fx.network("10.70.0.0/24", null);
            enrolAndConnect(api, net, onA);
            try (SimulatedAgent onB = onA.twin(b.getBean(AgentGrpcServer.class).port())) { // restarted, no state
                // While replica A's agent-state writer is held, the revision A sends for the device is not written
                // yet when the agent's new session on B starts (as when it reconnects within one write period).
                synchronized (writerA) {
                    byte[] device = Base64.getDecoder()
                            .decode(fx.device(net, Map.of())
                                    .json()
                                    .get("publicKey")
                                    .asString());
                    onA.await(c -> hasPeer(c, device), Duration.ofSeconds(10));
                    onB.connect();
                    onB.await(c -> hasPeer(c, device), Duration.ofSeconds(10));
                }
                assertThat(onB.revision()).isGreaterThan(onA.revision());
            }
        }
    }

    private static void enrolAndConnect(ApiClient api, UUID net, SimulatedAgent a) throws Exception {
        a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, Duration.ofSeconds(15));
    }

    /** A second replica on the same database, polling the outbox only every 5 s (only NOTIFY can make it fast). */
    private ConfigurableApplicationContext replicaB() throws java.sql.SQLException {
        String url;
        String user;
        try (var c = dataSource.getConnection()) {
            url = c.getMetaData().getURL();
            user = c.getMetaData().getUserName();
        }
        return new SpringApplicationBuilder(WgmeshControllerApplication.class)
                .run(
                        "--server.port=0",
                        "--wgmesh.grpc.port=0",
                        "--wgmesh.replica-id=replica-b",
                        "--wgmesh.data-dir=" + env.getProperty("wgmesh.data-dir"),
                        "--spring.datasource.url=" + url,
                        "--spring.datasource.username=" + user,
                        "--spring.datasource.password=" + env.getProperty("spring.datasource.password", ""),
                        "--wgmesh.agents.outbox-poll=5s");
    }
}
