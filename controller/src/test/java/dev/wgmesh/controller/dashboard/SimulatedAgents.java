package dev.wgmesh.controller.dashboard;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.agentapi.SimulatedAgent;
import dev.wgmesh.controller.support.ApiClient;
import java.util.UUID;

/** What the browser tests need around {@link SimulatedAgent}: a join token, and the agent's peer id. */
final class SimulatedAgents {
    private SimulatedAgents() {}

    /** A one-shot enrolment key's join token, bound to {@code siteId} unless null. */
    static String joinToken(ApiClient api, UUID net, UUID siteId) {
        var body = map("reusable", false);
        if (siteId != null) {
            body.put("siteId", siteId);
        }
        var r = api.post("/api/v1/networks/" + net + "/enrolment-keys", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("joinToken").asString();
    }

    static UUID peerId(ApiClient api, UUID net, SimulatedAgent agent) {
        for (var item : api.get("/api/v1/agents?networkId=" + net).json().get("items")) {
            if (item.get("id").asString().equals(agent.identity().getAgentId())) {
                return UUID.fromString(item.get("peerId").asString());
            }
        }
        throw new AssertionError("agent not listed: " + agent.identity().getAgentId());
    }
}
