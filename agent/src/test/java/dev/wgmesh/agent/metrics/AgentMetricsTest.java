package dev.wgmesh.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.agent.AgentMain;
import dev.wgmesh.agent.metrics.StatsSource.AgentSample;
import dev.wgmesh.agent.metrics.StatsSource.Drops;
import dev.wgmesh.agent.metrics.StatsSource.PeerSample;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scrapes the real endpoint over HTTP on loopback. */
class AgentMetricsTest {
    private static final String KEY_A = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
    private static final String KEY_B = "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=";
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile List<PeerSample> peers = List.of();
    private volatile AgentSample agent = new AgentSample(0, false);
    private AgentMetrics metrics;

    private final StatsSource source = new StatsSource() {
        @Override
        public List<PeerSample> peers() {
            return peers;
        }

        @Override
        public AgentSample agent() {
            return agent;
        }
    };

    @AfterEach
    void stop() {
        if (metrics != null) {
            metrics.close();
        }
    }

    private void start() throws Exception {
        metrics = AgentMetrics.start(new InetSocketAddress("127.0.0.1", 0), source, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + metrics.address().getPort() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(AgentMetrics.CONTENT_TYPE);
        return r.body();
    }

    private static PeerSample sampleA() {
        return new PeerSample(
                KEY_A,
                "branch-1",
                123_456,
                654_321,
                NOW.minusSeconds(42).toEpochMilli(),
                2_500,
                0.25f,
                17,
                23_000,
                1_200,
                9_000,
                new Drops(1, 2, 3, 4, 5, 6));
    }

    @Test
    void exposesPeerAndAgentFigures() throws Exception {
        start();
        peers = List.of(sampleA());
        agent = new AgentSample(42, true);
        String body = scrape();
        String labels = "name=\"branch-1\",peer=\"" + KEY_A + "\"";
        assertThat(body)
                .contains("wgmesh_peer_rx_bytes_total{" + labels + "} 123456.0")
                .contains("wgmesh_peer_tx_bytes_total{" + labels + "} 654321.0")
                .contains("wgmesh_peer_last_handshake_age_seconds{" + labels + "} 42.0")
                .contains("wgmesh_peer_probe_rtt_seconds{" + labels + "} 0.0025")
                .contains("wgmesh_peer_probe_loss_ratio{" + labels + "} 0.25")
                .contains("wgmesh_peer_queue_packets{" + labels + "} 17.0")
                .contains("wgmesh_peer_queue_bytes{" + labels + "} 23000.0")
                .contains("wgmesh_peer_queue_sojourn_p50_seconds{" + labels + "} 0.0012")
                .contains("wgmesh_peer_queue_sojourn_p99_seconds{" + labels + "} 0.009")
                .contains("wgmesh_peer_drops_total{" + labels + ",reason=\"overflow\"} 1.0")
                .contains("wgmesh_peer_drops_total{" + labels + ",reason=\"codel\"} 2.0")
                .contains("wgmesh_peer_drops_total{" + labels + ",reason=\"no_route\"} 3.0")
                .contains("wgmesh_peer_drops_total{" + labels + ",reason=\"replay\"} 4.0")
                .contains("wgmesh_peer_drops_total{" + labels + ",reason=\"auth\"} 5.0")
                .contains("wgmesh_peer_drops_total{" + labels + ",reason=\"other\"} 6.0")
                .contains("wgmesh_agent_applied_revision 42.0")
                .contains("wgmesh_agent_controller_connected 1.0")
                .contains("wgmesh_agent_info{version=\"" + AgentMain.VERSION + "\"} 1")
                .contains("# TYPE wgmesh_peer_rx_bytes_total counter")
                .contains("# TYPE wgmesh_peer_probe_rtt_seconds gauge");
    }

    @Test
    void followsPeersAndValuesBetweenScrapes() throws Exception {
        start();
        peers = List.of(sampleA());
        assertThat(scrape()).contains(KEY_A).doesNotContain(KEY_B);

        PeerSample neverShaken = new PeerSample(KEY_B, "", 0, 0, 0, 0, 0f, 0, 0, 0, 0, null);
        PeerSample a2 = new PeerSample(
                KEY_A, "branch-1", 200_000, 700_000, NOW.toEpochMilli(), 3_000, 0f, 0, 0, 0, 0, Drops.NONE);
        peers = List.of(a2, neverShaken);
        String body = scrape();
        assertThat(body)
                .contains("wgmesh_peer_rx_bytes_total{name=\"branch-1\",peer=\"" + KEY_A + "\"} 200000.0")
                .contains("wgmesh_peer_last_handshake_age_seconds{name=\"\",peer=\"" + KEY_B + "\"} NaN")
                .contains("wgmesh_peer_probe_rtt_seconds{name=\"\",peer=\"" + KEY_B + "\"} NaN");

        // A renamed peer keeps one series set under its new name; a removed peer disappears.
        peers = List.of(new PeerSample(KEY_B, "branch-2", 1, 1, 0, 0, 0f, 0, 0, 0, 0, null));
        body = scrape();
        assertThat(body).doesNotContain(KEY_A).contains("name=\"branch-2\"").doesNotContain("name=\"\"");
    }

    @Test
    void answersOnlyGetAndHeadOnMetrics() throws Exception {
        start();
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + metrics.address().getPort() + "/metrics"))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void brokenSourceGivesA500AndTheServerKeepsServing() throws Exception {
        metrics = AgentMetrics.start(
                new InetSocketAddress("127.0.0.1", 0),
                new StatsSource() {
                    int calls;

                    @Override
                    public List<PeerSample> peers() {
                        if (calls++ == 0) {
                            throw new IllegalStateException("device gone");
                        }
                        return List.of();
                    }

                    @Override
                    public AgentSample agent() {
                        return new AgentSample(7, false);
                    }
                },
                Clock.systemUTC());
        assertThat(get("/metrics").statusCode()).isEqualTo(500);
        assertThat(scrape()).contains("wgmesh_agent_applied_revision 7.0");
    }

    @Test
    void listenAddressParsing() throws Exception {
        assertThat(AgentMetrics.parseListen("127.0.0.1:9586")).isEqualTo(new InetSocketAddress("127.0.0.1", 9586));
        assertThat(AgentMetrics.parseListen("[::1]:9586").getAddress().isLoopbackAddress())
                .isTrue();
        assertThat(AgentMetrics.parseListen("localhost:9586").getAddress().isLoopbackAddress())
                .isTrue();
        assertThatThrownBy(() -> AgentMetrics.parseListen("9586")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> AgentMetrics.parseListen("::1:9586")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> AgentMetrics.parseListen("metrics.example:9586"))
                .hasMessageContaining("IP address");
        assertThatThrownBy(() -> AgentMetrics.parseListen("127.0.0.1:70000")).hasMessageContaining("0-65535");
        assertThat(AgentMetrics.fromOptions(null, StatsSource.EMPTY)).isEmpty();
        try (AgentMetrics m =
                AgentMetrics.fromOptions("127.0.0.1:0", StatsSource.EMPTY).orElseThrow()) {
            assertThat(m.address().getPort()).isPositive();
        }
    }
}
