package dev.wgmesh.controller.web;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Every failure is an RFC 9457 problem, says what is wrong, reveals nothing internal and stores nothing. */
@IntegrationTest
class ErrorHandlingTest {
    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    ApiClient api;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
    }

    private int networks() {
        return jdbc.queryForObject("SELECT count(*) FROM network", Integer.class);
    }

    private static void assertProblem(ApiClient.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.text())
                .doesNotContain("Exception")
                .doesNotContain("tools.jackson")
                .doesNotContain("org.");
    }

    @Test
    void malformedJsonIs400WithAPosition() {
        int before = networks();
        var r = api.post("/api/v1/networks", "{\"name\": \"x\", ");
        assertProblem(r, 400);
        assertThat(r.json().get("detail").asString()).contains("line 1");
        assertProblem(api.post("/api/v1/networks", "[]"), 400);
        assertProblem(api.post("/api/v1/networks", ""), 400);
        assertThat(networks()).isEqualTo(before);
    }

    @Test
    void wrongTypesAndUnknownFieldsNameTheField() {
        var wrongType = api.post("/api/v1/networks", "{\"name\":\"n\",\"ipv4Prefix\":\"10.0.0.0/24\",\"mtu\":\"big\"}");
        assertProblem(wrongType, 400);
        assertThat(wrongType.json().get("errors").get(0).get("field").asString())
                .isEqualTo("mtu");
        var unknown = api.post("/api/v1/networks", "{\"name\":\"n\",\"ipv4Prefix\":\"10.0.0.0/24\",\"mtus\":1}");
        assertProblem(unknown, 400);
        assertThat(unknown.json().get("errors").get(0).get("field").asString()).isEqualTo("mtus");
        var badEnum = api.post("/api/v1/networks/" + UUID.randomUUID() + "/peers", "{\"name\":\"p\",\"kind\":\"X\"}");
        assertProblem(badEnum, 400);
        assertThat(badEnum.json().get("errors").get(0).get("field").asString()).isEqualTo("kind");
        var badPath = api.get("/api/v1/networks/not-a-uuid");
        assertProblem(badPath, 400);
        assertThat(badPath.json().get("errors").get(0).get("field").asString()).isEqualTo("id");
    }

    @Test
    void oversizedBodiesAre413WhetherDeclaredOrStreamed() throws Exception {
        int before = networks();
        String huge =
                "{\"name\":\"n\",\"ipv4Prefix\":\"10.0.0.0/24\",\"dnsServers\":[\"" + "a".repeat(1_100_000) + "\"]}";
        assertProblem(api.post("/api/v1/networks", huge), 413);
        // Chunked: no Content-Length, the limit trips while Jackson reads.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/networks"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes())))
                .build();
        HttpResponse<String> r = api.http().send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("\"status\":413");
        assertThat(networks()).isEqualTo(before);
    }

    @Test
    void unknownResourcesAndMethods() {
        assertProblem(api.get("/api/v1/networks/" + UUID.randomUUID()), 404);
        assertProblem(api.send("PATCH", "/api/v1/audit", "{}", Map.of()), 405);
        var wrongMedia = api.send("POST", "/api/v1/networks", "x", Map.of("Content-Type", "text/plain"));
        assertThat(wrongMedia.status()).isIn(400, 415);
    }

    @Test
    void openApiDescribesTheApiAndSwaggerUiIsServed() {
        var docs = api.get("/v3/api-docs");
        assertThat(docs.status()).as(docs.toString()).isEqualTo(200);
        var paths = docs.json().get("paths");
        assertThat(paths.has("/api/v1/networks")).isTrue();
        assertThat(paths.has("/api/v1/networks/{networkId}/peers/{peerId}/config"))
                .isTrue();
        assertThat(paths.has("/api/v1/audit")).isTrue();
        var ui = api.get("/swagger-ui.html");
        assertThat(ui.status()).isIn(200, 302);
        var index = api.get("/swagger-ui/index.html");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.text()).contains("swagger-ui");
    }

    @Test
    void auditRecordsChangesWithActorAndBeforeAfter() {
        UUID net = new Fixtures(api).network("10.97.0.0/24", null);
        String name = api.get("/api/v1/networks/" + net).json().get("name").asString();
        api.put("/api/v1/networks/" + net, map("name", name, "ipv4Prefix", "10.97.0.0/24", "mtu", 1300), Map.of());
        var events = api.get("/api/v1/audit?targetType=network&targetId=" + net)
                .json()
                .get("items");
        assertThat(events).hasSize(2);
        var update = events.get(0); // newest first
        assertThat(update.get("action").asString()).isEqualTo("network.updated");
        assertThat(update.get("actor").asString()).isEqualTo("anonymous");
        assertThat(update.get("details").get("before").get("mtu").asInt()).isEqualTo(1420);
        assertThat(update.get("details").get("after").get("mtu").asInt()).isEqualTo(1300);
        assertThat(events.get(1).get("action").asString()).isEqualTo("network.created");
        assertThat(events.get(1).get("details").get("before").isNull()).isTrue();
        assertProblem(api.get("/api/v1/audit?sort=details"), 400);
    }
}
