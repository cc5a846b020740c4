package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.JsonNode;

/** Helpers shared by the agent API tests. */
final class AgentTestSupport {
    private AgentTestSupport() {}

    /** Creates an enrolment key through the API; returns its creation response. */
    static JsonNode enrolmentKey(ApiClient api, UUID network, UUID site, boolean reusable) {
        var body = map("reusable", reusable);
        if (site != null) {
            body.put("siteId", site);
        }
        var r = api.post("/api/v1/networks/" + network + "/enrolment-keys", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    static boolean hasPeer(dev.wgmesh.proto.v1.NetworkConfig c, byte[] key) {
        return c.getPeersList().stream()
                .anyMatch(p -> java.util.Arrays.equals(p.getPublicKey().toByteArray(), key));
    }

    static dev.wgmesh.proto.v1.PeerConfig peer(dev.wgmesh.proto.v1.NetworkConfig c, byte[] key) {
        return c.getPeersList().stream()
                .filter(p -> java.util.Arrays.equals(p.getPublicKey().toByteArray(), key))
                .findFirst()
                .orElseThrow();
    }
}
