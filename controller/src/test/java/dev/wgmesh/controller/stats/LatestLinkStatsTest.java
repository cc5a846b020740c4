package dev.wgmesh.controller.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The bulk latest-stats endpoint on real PostgreSQL: newest sample per link, only this network, only recent ones. */
@IntegrationTest
class LatestLinkStatsTest {
    @LocalServerPort
    int port;

    @Autowired
    StatsService stats;

    @Test
    void answersTheNewestRecentSampleOfEveryLinkOfTheNetwork() {
        ApiClient api = new ApiClient(port);
        Fixtures fx = new Fixtures(api);
        UUID net = fx.network("10.91.0.0/24", null);
        UUID a = fx.agent(net, null, "127.0.0.1:51820", randomKey()).id();
        UUID b = fx.agent(net, null, "127.0.0.1:51821", randomKey()).id();
        UUID c = fx.agent(net, null, "127.0.0.1:51822", randomKey()).id();
        UUID other = fx.network("10.92.0.0/24", null);
        UUID x = fx.agent(other, null, "127.0.0.1:51823", randomKey()).id();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        stats.record(List.of(
                link(a, b, now.minusSeconds(20), 5.0),
                link(a, b, now.minusSeconds(10), 7.0), // newer: this one wins
                link(a, c, now.minusSeconds(30), 40.0),
                link(b, a, now.minusSeconds(5), 6.0),
                link(c, a, now.minus(LatestLinkStats.RECENT).minusSeconds(60), 9.0), // too old
                link(x, a, now, 1.0))); // another network's agent

        var r = api.get("/api/v1/networks/" + net + "/stats/latest");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("networkId").asString()).isEqualTo(net.toString());
        assertThat(body.get("truncated").asBoolean()).isFalse();
        Map<String, JsonNode> byLink = new HashMap<>();
        for (JsonNode l : body.get("links")) {
            byLink.put(
                    l.get("agentPeerId").asString() + ">"
                            + l.get("remotePeerId").asString(),
                    l.get("sample"));
        }
        assertThat(byLink).containsOnlyKeys(a + ">" + b, a + ">" + c, b + ">" + a);
        JsonNode ab = byLink.get(a + ">" + b);
        assertThat(ab.get("probeRttMs").asDouble()).isEqualTo(7.0);
        assertThat(Instant.parse(ab.get("ts").asString())).isEqualTo(now.minusSeconds(10));
        assertThat(ab.get("handshakeAgeS").asDouble()).isEqualTo(12.0);
        assertThat(ab.get("dropsCodel").asLong()).isEqualTo(3);
        assertThat(byLink.get(a + ">" + c).get("probeRttMs").asDouble()).isEqualTo(40.0);
        // Newest first.
        assertThat(body.get("links").get(0).get("agentPeerId").asString()).isEqualTo(b.toString());

        assertThat(api.get("/api/v1/networks/" + UUID.randomUUID() + "/stats/latest")
                        .status())
                .isEqualTo(404);
        var empty = api.get("/api/v1/networks/" + fx.network("10.93.0.0/24", null) + "/stats/latest");
        assertThat(empty.json().get("links")).isEmpty();
        assertThat(Duration.between(Instant.parse(empty.json().get("since").asString()), Instant.now()))
                .isBetween(LatestLinkStats.RECENT.minusSeconds(30), LatestLinkStats.RECENT.plusSeconds(30));
    }

    private static StatsService.LinkSample link(UUID agent, UUID remote, Instant ts, double rttMs) {
        return new StatsService.LinkSample(
                agent,
                remote,
                new StatsSample(
                        ts, 100L, 200L, 10.0, 20.0, 12.0, rttMs + 1, rttMs, 0.0, 2L, 3000L, 0.4, 2.5, 6.0, 0L, 3L, 0L,
                        0L, 0L, 0L));
    }

    private static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }
}
