package dev.wgmesh.controller.rollout;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.agentapi.AgentGrpcServer;
import dev.wgmesh.controller.agentapi.SimulatedAgent;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Rollouts against simulated agents on real PostgreSQL: waves gated on acks and reported health, hub-and-spoke maps,
 * gate failure → pause → resume, abort, rollback, drift re-convergence and preshared key rotation.
 */
@IntegrationTest
class RolloutIntegrationTest {
    @LocalServerPort
    int port;

    @Autowired
    AgentGrpcServer grpc;

    ApiClient api;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
    }

    @Test
    void fullMeshInWavesThenHubAndSpoke() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.91.0.0/16", 10, 4)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            assertThat(lab.psk(1, 2).isEmpty())
                    .as("no mesh yet: implicit mesh, no key")
                    .isTrue();
            long[] before =
                    lab.agents.stream().mapToLong(SimulatedAgent::revision).toArray();
            UUID r = lab.startRollout(
                    mesh, map("canarySize", 1, "waveSize", 2, "pauseSeconds", 2, "gateTimeoutSeconds", 20));
            JsonNode started = api.get(lab.rollout(mesh, r)).json();
            assertThat(started.get("waveCount").asInt()).isEqualTo(3);
            UUID canary = UUID.fromString(started.get("waves")
                    .get(0)
                    .get("agents")
                    .get(0)
                    .get("peerId")
                    .asString());

            // While the canary's wave passes, the agents of later waves still run what they ran.
            lab.await(mesh, r, x -> x.get("currentWave").asInt() >= 1, "canary passed");
            for (int i = 0; i < 4; i++) {
                if (!lab.peers.get(i).equals(canary)) {
                    assertThat(lab.agents.get(i).revision())
                            .as("agent %d changes only in its wave", i)
                            .isEqualTo(before[i]);
                }
            }
            JsonNode done = lab.awaitState(mesh, r, "COMPLETED");
            assertThat(done.get("waves").get(2).get("agents").get(0).get("step").asString())
                    .isEqualTo("HEALTHY");
            assertThat(lab.eventKinds(mesh, r))
                    .contains(
                            "rollout.started",
                            "wave.applied",
                            "agent.acked",
                            "agent.healthy",
                            "wave.passed",
                            "rollout.completed");
            assertThat(api.get(lab.meshes() + "/" + mesh)
                            .json()
                            .get("stableRevision")
                            .asLong())
                    .isEqualTo(1);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    if (i != j) {
                        int jj = j;
                        SimulatedAgent a = lab.agents.get(i);
                        a.await(
                                c -> MeshLab.entry(c, lab.agents.get(jj).wireguardPublicKey())
                                        .map(p -> p.getPresharedKey().size() == 32)
                                        .orElse(false),
                                MeshLab.WAIT);
                        assertThat(lab.psk(i, j)).as("same key on both ends").isEqualTo(lab.psk(j, i));
                        assertThat(lab.entry(i, j).orElseThrow().getAllowedIpsList())
                                .contains("192.168." + (10 + j) + ".0/24");
                    }
                }
            }
            assertThat(lab.psk(0, 1)).isNotEqualTo(lab.psk(0, 2));

            // Hub-and-spoke with site 0 as hub: spokes keep only the hub, whose entry carries the other spokes.
            lab.updateMesh(mesh, "HUB_AND_SPOKE", List.of(lab.sites.get(0)));
            UUID r2 = lab.startRollout(mesh, map("canarySize", 1, "waveSize", 3, "gateTimeoutSeconds", 20));
            JsonNode second = api.get(lab.rollout(mesh, r2)).json();
            assertThat(second.get("waveCount").asInt())
                    .as("the hub's own map does not change: only the three spokes roll out")
                    .isEqualTo(2);
            assertThat(second.get("waves").toString())
                    .doesNotContain(lab.peers.get(0).toString());
            lab.awaitState(mesh, r2, "COMPLETED");
            SimulatedAgent spoke = lab.agents.get(1);
            spoke.await(c -> c.getPeersCount() == 1, MeshLab.WAIT);
            PeerConfig toHub = lab.entry(1, 0).orElseThrow();
            assertThat(toHub.getAllowedIpsList())
                    .contains(
                            "192.168.10.0/24",
                            "192.168.12.0/24",
                            "192.168.13.0/24",
                            lab.tunnelIp(2) + "/32",
                            lab.tunnelIp(3) + "/32");
            assertThat(spoke.config().getInterfaceConfig().getRoutesList())
                    .contains("192.168.10.0/24", "192.168.12.0/24", "192.168.13.0/24");
            assertThat(lab.agents.get(0).config().getPeersCount()).isEqualTo(3);
            assertThat(lab.entry(0, 2).orElseThrow().getAllowedIpsList())
                    .containsExactlyInAnyOrder(lab.tunnelIp(2) + "/32", "192.168.12.0/24");
            lab.agents.forEach(a -> assertThat(a.hashMismatches()).isZero());
        }
    }

    @Test
    void failingGatePausesKeepsTheHealthyPartAndResumes() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.92.0.0/16", 20, 3)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            String plan = api.post(lab.meshes() + "/" + mesh + "/plan", null).text();
            // Stop the agent planned last (the non-canary of the second wave).
            JsonNode order =
                    api.post(lab.meshes() + "/" + mesh + "/plan", null).json().get("agents");
            int stopped =
                    lab.peers.indexOf(UUID.fromString(order.get(2).get("peerId").asString()));
            assertThat(plan).contains("peersChanged");
            lab.agents.get(stopped).close();
            lab.silent.add(stopped);
            UUID r = lab.startRollout(mesh, map("canarySize", 1, "waveSize", 2, "gateTimeoutSeconds", 3));
            JsonNode paused = lab.awaitState(mesh, r, "PAUSED");
            assertThat(paused.get("currentWave").asInt()).isEqualTo(1);
            assertThat(paused.get("reason").asString()).contains("wave 1 failed its gate", "offline");
            assertThat(lab.eventKinds(mesh, r)).contains("wave.gate-failed", "agent.failed", "rollout.paused");
            int canary =
                    lab.peers.indexOf(UUID.fromString(order.get(0).get("peerId").asString()));
            assertThat(paused.get("waves")
                            .get(0)
                            .get("agents")
                            .get(0)
                            .get("step")
                            .asString())
                    .isEqualTo("HEALTHY");
            assertThat(lab.agents.get(canary).config().getPeersList())
                    .as("the healthy part keeps running")
                    .hasSize(2);
            assertThat(api.post(lab.rollout(mesh, r) + "/resume", null).status())
                    .isEqualTo(200);
            assertThat(api.post(lab.meshes() + "/" + mesh + "/rollouts", null).status())
                    .as("one active rollout per mesh")
                    .isEqualTo(409);

            // The agent comes back: the resumed wave passes.
            SimulatedAgent back = lab.agents.get(stopped).twin();
            lab.agents.set(stopped, back);
            back.connect();
            lab.silent.remove(stopped);
            lab.awaitState(mesh, r, "COMPLETED");
            assertThat(lab.eventKinds(mesh, r)).contains("rollout.resumed", "rollout.completed");
            assertThat(api.post(lab.rollout(mesh, r) + "/resume", null).status())
                    .isEqualTo(409);
        }
    }

    /**
     * All agents in one wave: they usually ack in the same gate pass, and every link between them must still be
     * checked (with real agents whose handshakes never completed, such a wave used to pass).
     */
    @Test
    void linksWithinOneWaveAreChecked() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.96.0.0/16", 60, 3)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            lab.silent.add(2); // connected and acking, but no handshake is ever reported
            UUID r = lab.startRollout(mesh, map("canarySize", 3, "gateTimeoutSeconds", 3));
            JsonNode paused = lab.awaitState(mesh, r, "PAUSED");
            assertThat(paused.get("waveCount").asInt()).isEqualTo(1);
            assertThat(paused.get("reason").asString())
                    .contains("wave 0 failed its gate", "agent peer " + lab.peers.get(2) + ": link to peer");
            assertThat(paused.get("reason").asString())
                    .as("the agents that report their links are healthy")
                    .doesNotContain("agent peer " + lab.peers.get(0), "agent peer " + lab.peers.get(1));
        }
    }

    @Test
    void anOperatorPausesARunningRolloutBetweenWavesAndResumesIt() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.95.0.0/16", 50, 3)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            UUID r = lab.startRollout(
                    mesh, map("canarySize", 1, "waveSize", 2, "pauseSeconds", 600, "healthGates", false));
            lab.await(mesh, r, x -> x.get("currentWave").asInt() == 1, "canary passed, waiting out the pause");
            long[] before =
                    lab.agents.stream().mapToLong(SimulatedAgent::revision).toArray();

            var paused = api.post(lab.rollout(mesh, r) + "/pause", null);
            assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
            assertThat(paused.json().get("state").asString()).isEqualTo("PAUSED");
            assertThat(paused.json().get("reason").asString())
                    .startsWith("paused by ")
                    .endsWith("in wave 1");
            assertThat(api.post(lab.rollout(mesh, r) + "/pause", null).status())
                    .as("only a RUNNING rollout can be paused")
                    .isEqualTo(409);
            assertThat(lab.eventKinds(mesh, r)).contains("rollout.paused");
            Thread.sleep(1000); // a few driver ticks: nothing moves while paused
            JsonNode still = api.get(lab.rollout(mesh, r)).json();
            assertThat(still.get("state").asString()).isEqualTo("PAUSED");
            assertThat(still.get("currentWave").asInt()).isEqualTo(1);
            assertThat(lab.agents.stream().mapToLong(SimulatedAgent::revision).toArray())
                    .isEqualTo(before);

            // Resume does not wait out the rest of the 600 s pause: the last wave goes out now.
            assertThat(api.post(lab.rollout(mesh, r) + "/resume", null).status())
                    .isEqualTo(200);
            lab.awaitState(mesh, r, "COMPLETED");
            assertThat(lab.eventKinds(mesh, r)).contains("rollout.resumed", "rollout.completed");
        }
    }

    @Test
    void abortThenRollbackRestoresEveryTouchedAgent() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.93.0.0/16", 30, 3)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            lab.awaitState(mesh, lab.startRollout(mesh, map("healthGates", false)), "COMPLETED");
            for (int i = 1; i < 3; i++) {
                int ii = i;
                lab.agents
                        .get(0)
                        .await(
                                c -> lab.entry(0, ii)
                                        .map(p -> !p.getPresharedKey().isEmpty())
                                        .orElse(false),
                                MeshLab.WAIT);
            }
            String[] hashes = lab.agents.stream().map(SimulatedAgent::hash).toArray(String[]::new);

            lab.updateMesh(mesh, "HUB_AND_SPOKE", List.of(lab.sites.get(0)));
            UUID r = lab.startRollout(
                    mesh, map("canarySize", 1, "waveSize", 1, "pauseSeconds", 600, "healthGates", false));
            lab.await(mesh, r, x -> x.get("currentWave").asInt() == 1, "first wave passed");
            JsonNode aborted = api.post(lab.rollout(mesh, r) + "/abort", null).json();
            assertThat(aborted.get("state").asString()).isEqualTo("ABORTED");
            int last = lab.peers.indexOf(UUID.fromString(aborted.get("waves")
                    .get(1)
                    .get("agents")
                    .get(0)
                    .get("peerId")
                    .asString()));
            assertThat(lab.agents.get(last).hash())
                    .as("not reached by the aborted rollout")
                    .isEqualTo(hashes[last]);
            int spoke = last == 1 ? 2 : 1;
            lab.agents.get(spoke).await(c -> c.getPeersCount() == 1, MeshLab.WAIT);
            assertThat(lab.agents.get(0).hash())
                    .as("the hub's map did not change")
                    .isEqualTo(hashes[0]);

            JsonNode rb = api.post(lab.rollout(mesh, r) + "/rollback", null).json();
            assertThat(rb.get("state").asString()).isEqualTo("ROLLING_BACK");
            JsonNode rolledBack = lab.awaitState(mesh, r, "ROLLED_BACK");
            assertThat(rolledBack
                            .get("waves")
                            .get(0)
                            .get("agents")
                            .get(0)
                            .get("step")
                            .asString())
                    .isEqualTo("REVERTED");
            for (int i = 0; i < 3; i++) {
                int ii = i;
                lab.agents.get(i).await(c -> lab.agents.get(ii).hash().equals(hashes[ii]), MeshLab.WAIT);
            }
            assertThat(lab.eventKinds(mesh, r))
                    .contains(
                            "rollout.aborted",
                            "rollback.started",
                            "rollback.applied",
                            "agent.reverted",
                            "rollback.completed");
            assertThat(api.post(lab.rollout(mesh, r) + "/abort", null).status()).isEqualTo(409);
        }
    }

    @Test
    void driftedAgentIsReportedAndReconverged() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.94.0.0/16", 40, 2)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            lab.awaitState(mesh, lab.startRollout(mesh, map("healthGates", false)), "COMPLETED");
            lab.agents.get(1).await(c -> !lab.psk(1, 0).isEmpty(), MeshLab.WAIT);
            String good = lab.agents.get(1).hash();
            lab.agents.get(1).ackWithHash("00".repeat(32));
            JsonNode drift = null;
            for (int i = 0; i < 100; i++) {
                drift = api.post(lab.meshes() + "/" + mesh + "/plan", null)
                        .json()
                        .get("drift");
                if (drift.size() == 1) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(drift.get(0).get("peerId").asString())
                    .isEqualTo(lab.peers.get(1).toString());
            UUID r = lab.startRollout(mesh, map("healthGates", false));
            JsonNode done = lab.awaitState(mesh, r, "COMPLETED");
            assertThat(done.get("waves")
                            .get(0)
                            .get("agents")
                            .get(0)
                            .get("resync")
                            .asBoolean())
                    .isTrue();
            assertThat(lab.agents.get(1).hash()).isEqualTo(good);
        }
    }

    @Test
    void rotatingALinkKeyChangesBothEndsAndNothingElse() throws Exception {
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.95.0.0/16", 50, 3)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            lab.awaitState(mesh, lab.startRollout(mesh, map("healthGates", false)), "COMPLETED");
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    int ii = i;
                    int jj = j;
                    if (i != j) {
                        lab.agents.get(i).await(c -> !lab.psk(ii, jj).isEmpty(), MeshLab.WAIT);
                    }
                }
            }
            ByteString k01 = lab.psk(0, 1);
            ByteString k02 = lab.psk(0, 2);
            ByteString k12 = lab.psk(1, 2);
            var rotated = api.post(
                    lab.meshes() + "/" + mesh + "/links/rotate-key",
                    map("siteA", lab.sites.get(1), "siteB", lab.sites.get(0)));
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
            assertThat(rotated.json().get("generation").asInt()).isEqualTo(1);
            assertThat(rotated.text())
                    .doesNotContain(java.util.Base64.getEncoder().encodeToString(k01.toByteArray()));
            lab.agents.get(0).await(c -> !lab.psk(0, 1).equals(k01), MeshLab.WAIT);
            lab.agents.get(1).await(c -> !lab.psk(1, 0).equals(k01), MeshLab.WAIT);
            assertThat(lab.psk(0, 1)).isEqualTo(lab.psk(1, 0));
            assertThat(lab.psk(0, 2)).isEqualTo(k02);
            assertThat(lab.psk(1, 2)).isEqualTo(k12);
            assertThat(api.post(
                                    lab.meshes() + "/" + mesh + "/links/rotate-key",
                                    map("siteA", lab.sites.get(1), "siteB", lab.sites.get(1)))
                            .status())
                    .isEqualTo(400);
            assertThat(api.get("/api/v1/audit?targetType=mesh&targetId=" + mesh).text())
                    .contains("mesh.link-key.rotated");
        }
    }
}
