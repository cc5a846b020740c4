package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.agentapi.AgentTestSupport.await;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.enrolmentKey;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.hasPeer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What the dashboard and Prometheus see live: {@code agent} SSE events on connect, on each ack (applied revision,
 * drift) and on disconnect; the controller's own agent metrics on {@code /actuator/prometheus}.
 */
@IntegrationTest
class AgentLiveIntegrationTest extends SimulatedAgentsTestBase {
    private static final Duration WAIT = Duration.ofSeconds(15);

    final HttpClient sse = HttpClient.newHttpClient();

    @AfterEach
    void stopEventStreams() {
        sse.shutdownNow(); // ends the open event streams
    }

    /** The {@code agent} events of a network, as JSON items, in arrival order. */
    private LinkedBlockingQueue<JsonNode> subscribe(UUID net) throws Exception {
        LinkedBlockingQueue<JsonNode> items = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> opened = new LinkedBlockingQueue<>();
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/v1/events?networkId=" + net))
                .header("Authorization", "Bearer " + ApiTestClient.adminBearerToken(port))
                .header("Accept", "text/event-stream")
                .build();
        String[] event = {""};
        sse.sendAsync(req, HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(line -> {
                    if (line.startsWith(":")) {
                        opened.add(line);
                    } else if (line.startsWith("event:")) {
                        event[0] = line.substring(6).strip();
                    } else if (line.startsWith("data:") && event[0].equals("agent")) {
                        items.add(ApiClient.JSON.readTree(line.substring(5).strip()));
                    }
                }));
        assertThat(opened.poll(15, TimeUnit.SECONDS)).as("stream opened").isNotNull();
        return items;
    }

    private static JsonNode next(LinkedBlockingQueue<JsonNode> items, String agentId, Predicate<JsonNode> what)
            throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            JsonNode n = items.poll(100, TimeUnit.MILLISECONDS);
            if (n != null && n.get("id").asString().equals(agentId) && what.test(n)) {
                return n;
            }
        }
        throw new AssertionError("no matching agent event for " + agentId);
    }

    @Test
    void acksAndPresenceArePushedOverSse() throws Exception {
        UUID net = fx.network("10.72.0.0/24", null);
        var items = subscribe(net);
        SimulatedAgent a = agent("live-a");
        String id = a.enroll(
                        enrolmentKey(api, net, null, false).get("joinToken").asString())
                .getAgentId();
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
        JsonNode applied = next(items, id, n -> n.get("appliedRevision").asLong() == a.revision());
        assertThat(applied.get("online").asBoolean()).isTrue();
        assertThat(applied.get("appliedConfigHash").asString()).isEqualTo(a.hash());
        assertThat(applied.get("drift").asBoolean()).isFalse();

        // A change: the new revision's ack is pushed.
        fx.device(net, Map.of());
        a.await(c -> c.getPeersCount() == 1, WAIT);
        next(
                items,
                id,
                n -> n.get("appliedRevision").asLong() == a.revision()
                        && n.get("desiredRevision").asLong() == a.revision());

        // Drift: the agent acks with another hash.
        a.ackWithHash("0".repeat(64));
        next(items, id, n -> n.get("drift").asBoolean());

        // Offline.
        a.disconnect();
        next(items, id, n -> !n.get("online").asBoolean());
    }

    @Test
    void prometheusShowsConnectedAgentsSyncLagAndQueues() throws Exception {
        UUID net = fx.network("10.73.0.0/24", null);
        double connected = metric("wgmesh_agents_connected");
        double lagCount = metric("wgmesh_sync_lag_seconds_count");
        double fanouts = metric("wgmesh_agent_fanout_seconds_count");
        SimulatedAgent a = agent("metrics-a");
        SimulatedAgent b = agent("metrics-b");
        a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        b.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        b.connect();
        a.await(c -> hasPeer(c, b.wireguardPublicKey()), WAIT);
        await("two more agents connected", () -> metric("wgmesh_agents_connected") == connected + 2);

        fx.device(net, Map.of());
        a.await(c -> c.getPeersCount() == 2, WAIT);
        b.await(c -> c.getPeersCount() == 2, WAIT);
        // Each agent's ack of the change is a lag sample; the fan-out timed the change event.
        await("lag recorded", () -> metric("wgmesh_sync_lag_seconds_count") >= lagCount + 2);
        assertThat(metric("wgmesh_agent_fanout_seconds_count")).isGreaterThan(fanouts);
        assertThat(metric("wgmesh_agent_fanout_cpu_seconds_total")).isPositive();
        assertThat(metric("wgmesh_sync_lag_seconds_max")).isPositive().isLessThan(WAIT.toSeconds());
        await("nothing queued once acked", () -> metric("wgmesh_agent_update_queue_size") == 0);

        b.disconnect();
        await("one fewer", () -> metric("wgmesh_agents_connected") == connected + 1);
        a.disconnect();
        await("back to where it was", () -> metric("wgmesh_agents_connected") == connected);
    }

    private double metric(String name) {
        String text = api.get("/actuator/prometheus").text();
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.eE+-]+)$")
                .matcher(text);
        if (!m.find()) {
            throw new AssertionError("no metric " + name);
        }
        return Double.parseDouble(m.group(1));
    }
}
