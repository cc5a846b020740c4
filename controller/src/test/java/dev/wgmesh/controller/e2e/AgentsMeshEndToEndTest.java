package dev.wgmesh.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.WgmeshControllerApplication;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.LocalPostgres;
import dev.wgmesh.controller.support.TestAdmin;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Issue #7 end to end: the controller (in this JVM, on a fresh PostgreSQL database) and three real agents
 * ({@code bin/wgmesh-agent run}, the jar the reactor built before this module) in three network namespaces on a
 * bridge, with real TUN interfaces and the userspace WireGuard data plane.
 *
 * <ol>
 *   <li>a wrong CA pin and an unknown enrolment key are refused with clear errors, and nothing is created;
 *   <li>network, site and enrolment key via REST → the agents enrol → every pair pings through the tunnels;
 *   <li>restarting the controller loses no ping between agents;
 *   <li>an agent restarted while the controller is down brings its tunnels back from {@code last-config.pb};
 *   <li>a revoked agent is cut off: its traffic stops and it disappears from the others' data planes, which still
 *       reach each other;
 *   <li>deleting an agent's peer via REST propagates: the others drop it (pings fail, gone from their data plane).
 * </ol>
 * Needs root (fails with a clear message otherwise); everything created is removed afterwards, also on failure.
 */
@Timeout(600)
class AgentsMeshEndToEndTest {
    private static final Duration PING_WAIT = Duration.ofSeconds(60);
    private static final int METRICS_PORT = 9586;

    @TempDir
    Path work;

    private HostLab lab;
    private LocalPostgres db;
    private ConfigurableApplicationContext controller;
    private final Map<Integer, Process> agents = new HashMap<>();
    private final Map<Integer, String> tunnel = new HashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private Path root;
    private int httpPort;
    private int grpcPort;
    private String joinToken;

    @AfterEach
    void cleanUp() {
        try {
            if (lab != null) {
                lab.close(); // agents first: they are the lab's processes
            }
        } finally {
            try {
                stopController();
            } finally {
                if (db != null) {
                    db.drop();
                }
            }
        }
    }

    @Test
    void threeAgentsMeshThroughRestartsRevocationAndPeerRemoval() throws Exception {
        lab = HostLab.create();
        root = repositoryRoot();
        Path agentJar = root.resolve("agent/target/wgmesh-agent.jar");
        assertThat(agentJar)
                .as("the agent jar (the reactor builds the agent module before this one: ./mvnw install)")
                .exists();
        for (int n = 1; n <= 3; n++) {
            lab.addNamespace(n);
        }
        db = LocalPostgres.createFreshDatabase();
        httpPort = freePort();
        grpcPort = freePort();
        startController();
        ApiClient api = new ApiClient(httpPort);
        Fixtures fx = new Fixtures(api);
        UUID network = fx.network("10.77.0.0/24", null);
        UUID site = fx.site(network);
        var key = api.post(
                "/api/v1/networks/" + network + "/enrolment-keys",
                Fixtures.map("name", "e2e", "reusable", true, "usageLimit", 3, "siteId", site));
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        joinToken = key.json().get("joinToken").asString();

        refusesBadEnrolment();

        for (int n = 1; n <= 3; n++) {
            startAgent(n);
        }
        for (int n = 1; n <= 3; n++) {
            int agent = n;
            await("agent " + n + " enrols", Duration.ofSeconds(90), () -> Files.exists(state(agent, "identity.json")));
            tunnel.put(n, identity(n).get("tunnelAddresses").get(0).asString().replaceAll("/.*", ""));
        }
        for (int a = 1; a <= 3; a++) {
            for (int b = 1; b <= 3; b++) {
                if (a != b) {
                    assertPings(a, b, PING_WAIT);
                }
            }
        }

        controllerRestartLosesNoPing();
        failStaticRestart();
        api = new ApiClient(httpPort);
        revokedAgentIsCutOff(api, network);
        removedPeerPropagates(api, network);
    }

    private void refusesBadEnrolment() throws Exception {
        String secret = joinToken.substring(0, joinToken.lastIndexOf('.'));
        String pin = joinToken.substring(joinToken.lastIndexOf('.') + 1);
        HostLab.Result wrongPin = agentOnce(1, "bad-pin", secret + "." + "0".repeat(64));
        assertThat(wrongPin.exit()).as(wrongPin.out()).isEqualTo(1);
        assertThat(wrongPin.out()).contains("refusing to enrol").contains("does not match the pinned fingerprint");
        HostLab.Result unknownKey = agentOnce(1, "bad-key", "wgek_nosuchkey." + pin);
        assertThat(unknownKey.exit()).as(unknownKey.out()).isEqualTo(1);
        assertThat(unknownKey.out()).contains("does not know this enrolment key");
        assertThat(lab.in(1, Duration.ofSeconds(5), "ip", "link", "show", "wgmx")
                        .ok())
                .as("no interface before a successful enrolment")
                .isFalse();
        assertThat(Files.exists(work.resolve("bad-pin/identity.json"))).isFalse();
    }

    private HostLab.Result agentOnce(int n, String dir, String enrolKey) {
        return lab.in(
                n, Duration.ofSeconds(60), agentCommand(dir, enrolKey, "wgmx").toArray(String[]::new));
    }

    /** {@code bin/wgmesh-agent run} against the controller's gRPC port on the bridge. */
    private List<String> agentCommand(String stateDir, String enrolKey, String iface, String... more) {
        List<String> c = new ArrayList<>(List.of(
                root.resolve("bin/wgmesh-agent").toString(),
                "run",
                "--controller",
                lab.hostAddress() + ":" + grpcPort,
                "--enrol-key",
                enrolKey,
                "--interface",
                iface,
                "--state-dir",
                work.resolve(stateDir).toString()));
        c.addAll(List.of(more));
        return c;
    }

    private void controllerRestartLosesNoPing() throws Exception {
        Path log = work.resolve("ping-restart.txt");
        Process ping = lab.start(1, log, List.of("ping", "-i", "0.2", "-W", "1", tunnel.get(2)));
        stopController();
        Thread.sleep(2000);
        startController();
        Thread.sleep(2000);
        HostLab.run(Duration.ofSeconds(5), "kill", "-INT", Long.toString(ping.pid()));
        ping.waitFor();
        String out = Files.readString(log);
        assertThat(out).as("ping summary").contains(" 0% packet loss");
    }

    private void failStaticRestart() throws Exception {
        stopController();
        HostLab.stop(agents.get(3));
        startAgent(3);
        assertPings(1, 3, Duration.ofSeconds(45));
        assertPings(3, 2, Duration.ofSeconds(30));
        assertThat(Files.readString(work.resolve("agent3.log"))).contains("fail-static: running persisted revision");
        startController();
    }

    private void revokedAgentIsCutOff(ApiClient api, UUID network) throws Exception {
        String agent3 = identity(3).get("agentId").asString();
        String key3 = publicKey(api, network, agent3);
        assertThat(metrics(1)).as("agent 1 runs agent 3 as a peer").contains("peer=\"" + key3 + "\"");
        var r = api.post("/api/v1/agents/" + agent3 + "/revoke", null);
        assertThat(r.status()).as(r.toString()).isBetween(200, 204);
        await(
                "agent 3 learns it is revoked",
                Duration.ofSeconds(30),
                () -> log(3).contains("revoked this agent") || log(3).contains("PERMISSION_DENIED"));
        await("agent 3 leaves agent 1's and 2's data planes", Duration.ofSeconds(30), () -> {
            String m1 = metrics(1);
            String m2 = metrics(2);
            return !m1.isEmpty() && !m1.contains(key3) && !m2.isEmpty() && !m2.contains(key3);
        });
        assertNoPing(1, 3);
        assertNoPing(3, 2);
        assertPings(1, 2, Duration.ofSeconds(10));
        assertPings(2, 1, Duration.ofSeconds(10));
    }

    private void removedPeerPropagates(ApiClient api, UUID network) throws Exception {
        String agent2 = identity(2).get("agentId").asString();
        String peer2 = api.get("/api/v1/agents/" + agent2).json().get("peerId").asString();
        String key2 = publicKey(api, network, agent2);
        var r = api.delete("/api/v1/networks/" + network + "/peers/" + peer2, Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(204);
        await("agent 2 leaves agent 1's data plane", Duration.ofSeconds(30), () -> {
            String m1 = metrics(1);
            return !m1.isEmpty() && !m1.contains(key2);
        });
        assertNoPing(1, 2);
    }

    // ---- agents

    private void startAgent(int n) {
        List<String> command = agentCommand(
                "a" + n,
                joinToken,
                "wgm0",
                "--stats-interval",
                "2s",
                "--metrics-listen",
                lab.address(n) + ":" + METRICS_PORT);
        agents.put(n, lab.start(n, work.resolve("agent" + n + ".log"), command));
    }

    private Path state(int n, String file) {
        return work.resolve("a" + n).resolve(file);
    }

    private JsonNode identity(int n) throws IOException {
        return ApiClient.JSON.readTree(Files.readAllBytes(state(n, "identity.json")));
    }

    private String log(int n) {
        try {
            return Files.readString(work.resolve("agent" + n + ".log"));
        } catch (IOException ex) {
            return "";
        }
    }

    /** Agent {@code n}'s Prometheus text (its data plane's peers), empty when it does not answer. */
    private String metrics(int n) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + lab.address(n) + ":" + METRICS_PORT + "/metrics"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException ex) {
            return "";
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static String publicKey(ApiClient api, UUID network, String agentId) {
        String peerId =
                api.get("/api/v1/agents/" + agentId).json().get("peerId").asString();
        return api.get("/api/v1/networks/" + network + "/peers/" + peerId)
                .json()
                .get("publicKey")
                .asString();
    }

    private void assertPings(int from, int to, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (lab.in(from, Duration.ofSeconds(5), "ping", "-c", "1", "-W", "1", tunnel.get(to))
                    .ok()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("agent " + from + " cannot ping agent " + to + " (" + tunnel.get(to)
                + ") through the tunnel within " + within + "; its log ends:\n" + tail(log(from)));
    }

    private void assertNoPing(int from, int to) {
        HostLab.Result r = lab.in(from, Duration.ofSeconds(10), "ping", "-c", "3", "-W", "1", tunnel.get(to));
        assertThat(r.ok())
                .as("agent %d still reaches agent %d: %s", from, to, r.out())
                .isFalse();
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 25), lines.length));
    }

    // ---- controller

    private void startController() {
        controller = new SpringApplicationBuilder(WgmeshControllerApplication.class)
                .run(
                        "--server.port=" + httpPort,
                        "--server.address=127.0.0.1",
                        "--wgmesh.grpc.port=" + grpcPort,
                        "--wgmesh.grpc.tls.extra-sans=" + lab.hostAddress(),
                        "--wgmesh.data-dir=" + work.resolve("controller"),
                        "--wgmesh.admin.username=" + TestAdmin.USERNAME,
                        "--wgmesh.admin.password=" + TestAdmin.PASSWORD,
                        "--spring.datasource.url=" + db.jdbcUrl(),
                        "--spring.datasource.username=" + db.user(),
                        "--spring.datasource.password=" + db.password());
    }

    private void stopController() {
        if (controller != null) {
            controller.close();
            controller = null;
        }
    }

    // ---- helpers

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("bin/wgmesh-agent"))) {
            p = p.getParent();
        }
        assertThat(p)
                .as("repository root (with bin/wgmesh-agent) above the working directory")
                .isNotNull();
        return p;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(250);
        }
    }
}
