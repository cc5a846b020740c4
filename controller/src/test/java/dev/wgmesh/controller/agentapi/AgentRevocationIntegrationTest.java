package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.agentapi.AgentTestSupport.await;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.enrolmentKey;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.hasPeer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.proto.v1.ControllerMessage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A revoked agent is cut off: it leaves every other agent's map (peer, and the LAN routes it was the router for), its
 * own stream gets Revoked with tear-down and is closed, and it can neither reconnect nor enrol again.
 */
@IntegrationTest
class AgentRevocationIntegrationTest extends SimulatedAgentsTestBase {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void revokedAgentLeavesEveryMapAndCannotComeBack() throws Exception {
        UUID net = fx.network("10.70.0.0/24", null);
        UUID siteA = fx.site(net, "192.168.70.0/24");
        String reusable = enrolmentKey(api, net, null, true).get("joinToken").asString();
        String forSiteA = enrolmentKey(api, net, siteA, true).get("joinToken").asString();
        SimulatedAgent a = agent("revoke-a");
        SimulatedAgent b = agent("revoke-b");
        SimulatedAgent c = agent("revoke-c");
        var ida = a.enroll(forSiteA);
        b.enroll(reusable);
        c.enroll(reusable);
        for (SimulatedAgent x : List.of(a, b, c)) {
            x.connect();
        }
        for (SimulatedAgent x : List.of(b, c)) {
            x.await(cfg -> hasPeer(cfg, a.wireguardPublicKey()) && cfg.getPeersCount() == 2, WAIT);
        }
        assertThat(b.config().getInterfaceConfig().getRoutesList()).containsExactly("192.168.70.0/24");

        var r = api.post("/api/v1/agents/" + ida.getAgentId() + "/revoke", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);

        // Its own stream: Revoked with tear-down, then closed.
        assertThat(a.awaitClosed(WAIT).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(a.received())
                .filteredOn(m -> m.hasControl() && m.getControl().hasRevoked())
                .singleElement()
                .satisfies(m ->
                        assertThat(m.getControl().getRevoked().getTearDown()).isTrue());

        // Every other agent drops it (one delta removing its key and its site's route), and keeps the rest.
        ByteString aKey = ByteString.copyFrom(a.wireguardPublicKey());
        for (SimulatedAgent x : List.of(b, c)) {
            x.await(cfg -> !hasPeer(cfg, a.wireguardPublicKey()), WAIT);
            ControllerMessage last = x.received().getLast();
            assertThat(last.hasDelta()).as(last.toString()).isTrue();
            assertThat(last.getDelta().getRemovedPeerKeysList()).containsExactly(aKey);
            assertThat(x.config().getPeersCount()).isEqualTo(1);
            assertThat(x.config().getInterfaceConfig().getRoutesList()).isEmpty();
            assertThat(x.hashMismatches()).isZero();
        }
        await("revoked agent offline", () -> !api.get("/api/v1/agents/" + ida.getAgentId())
                .json()
                .get("online")
                .asBoolean());

        // It cannot reconnect, nor get a new credential with its enrolment key.
        a.connect();
        assertThat(a.awaitClosed(WAIT).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThatThrownBy(() -> a.enroll(forSiteA))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        // An agent connecting afterwards (full map from the database) never sees it either.
        SimulatedAgent d = agent("revoke-d");
        d.enroll(reusable);
        d.connect();
        var map = d.await(cfg -> cfg.getPeersCount() == 2, WAIT);
        assertThat(hasPeer(map, a.wireguardPublicKey())).isFalse();
        assertThat(hasPeer(map, b.wireguardPublicKey()) && hasPeer(map, c.wireguardPublicKey()))
                .isTrue();
        assertThat(map.getInterfaceConfig().getRoutesList()).isEmpty();

        // Revoking again changes nothing and still answers with the revoked item.
        var again = api.post("/api/v1/agents/" + ida.getAgentId() + "/revoke", Map.of());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("revokedAt").asString())
                .isEqualTo(r.json().get("revokedAt").asString());
    }
}
