package dev.wgmesh.controller.rollout;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.agentapi.AgentGrpcServer;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/v1/rollouts?state=PAUSED}: a paused rollout is found whatever the number of networks (the
 * dashboard's overview once looked only at the first page of networks, so a pause in a later one went unseen).
 */
@IntegrationTest
class PausedRolloutsAcrossNetworksTest {
    @LocalServerPort
    int port;

    @Autowired
    AgentGrpcServer grpc;

    @Test
    void aPausedRolloutIsListedWithItsNamesAmongManyNetworks() throws Exception {
        ApiClient api = new ApiClient(port);
        Fixtures fx = new Fixtures(api);
        for (int i = 0; i < 25; i++) {
            fx.network("10." + (200 + i) + ".0.0/16", null); // more networks than the overview shows
        }
        try (MeshLab lab = new MeshLab(api, grpc.port(), "10.94.0.0/16", 40, 2)) {
            UUID mesh = lab.createMesh("FULL_MESH", List.of());
            lab.agents.get(1).close();
            lab.silent.add(1);
            UUID r = lab.startRollout(mesh, map("canarySize", 2, "gateTimeoutSeconds", 2));
            lab.awaitState(mesh, r, "PAUSED");

            var paused = api.get("/api/v1/rollouts?state=PAUSED");
            assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
            JsonNode item = find(paused.json().get("items"), r);
            assertThat(item).as(paused.toString()).isNotNull();
            assertThat(item.get("meshName").asString()).isEqualTo("m");
            assertThat(item.get("networkName").asString())
                    .isEqualTo(api.get("/api/v1/networks/" + lab.net)
                            .json()
                            .get("name")
                            .asString());
            assertThat(item.get("rollout").get("state").asString()).isEqualTo("PAUSED");
            assertThat(item.get("rollout").get("meshId").asString()).isEqualTo(mesh.toString());
            assertThat(find(api.get("/api/v1/rollouts?state=RUNNING").json().get("items"), r))
                    .isNull();

            assertThat(api.post(lab.rollout(mesh, r) + "/abort", null).status()).isEqualTo(200);
            assertThat(find(api.get("/api/v1/rollouts?state=PAUSED").json().get("items"), r))
                    .isNull();
            assertThat(find(api.get("/api/v1/rollouts?state=ABORTED").json().get("items"), r))
                    .isNotNull();
        }
    }

    @Test
    void anUnknownOrMissingStateIsABadRequest() {
        ApiClient api = new ApiClient(port);
        var bogus = api.get("/api/v1/rollouts?state=SLEEPING");
        assertThat(bogus.status()).as(bogus.toString()).isEqualTo(400);
        assertThat(api.get("/api/v1/rollouts").status()).isEqualTo(400);
    }

    private static JsonNode find(JsonNode items, UUID rollout) {
        List<JsonNode> found = new ArrayList<>();
        items.forEach(i -> {
            if (i.get("rollout").get("id").asString().equals(rollout.toString())) {
                found.add(i);
            }
        });
        return found.isEmpty() ? null : found.get(0);
    }
}
