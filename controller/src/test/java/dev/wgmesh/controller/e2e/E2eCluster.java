package dev.wgmesh.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.WgmeshControllerApplication;
import dev.wgmesh.controller.support.ApiClient;
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
import java.util.function.BooleanSupplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * What the end-to-end tests run: the controller in this JVM on a fresh PostgreSQL database (restartable on the same
 * ports, data dir and database), and real agents ({@code bin/wgmesh-agent run}, the jar the reactor built before
 * this module) in the namespaces of a {@link HostLab}, reaching the controller's gRPC port on the lab's bridge.
 * Agent {@code n} keeps its state in {@code work/a<n>}, logs to {@code work/agent<n>.log} and serves its
 * Prometheus endpoint on its bridge address. {@link #close()} stops everything and drops the database.
 */
final class E2eCluster implements AutoCloseable {
    static final int METRICS_PORT = 9586;

    final HostLab lab;
    final Path work;
    final Path root;
    private final LocalPostgres db;
    private final int httpPort;
    private final int grpcPort;
    private final Map<Integer, Process> agents = new HashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private ConfigurableApplicationContext controller;

    private E2eCluster(HostLab lab, Path work, Path root, LocalPostgres db) throws IOException {
        this.lab = lab;
        this.work = work;
        this.root = root;
        this.db = db;
        this.httpPort = freePort();
        this.grpcPort = freePort();
    }

    /** A lab with {@code namespaces} agent namespaces and a started controller; fails clearly when not root. */
    static E2eCluster create(Path work, int namespaces) throws IOException {
        HostLab lab = HostLab.create();
        LocalPostgres db = null;
        try {
            Path root = repositoryRoot();
            assertThat(root.resolve("agent/target/wgmesh-agent.jar"))
                    .as("the agent jar (the reactor builds the agent module before this one: ./mvnw install)")
                    .exists();
            for (int n = 1; n <= namespaces; n++) {
                lab.addNamespace(n);
            }
            db = LocalPostgres.createFreshDatabase();
            E2eCluster c = new E2eCluster(lab, work, root, db);
            c.startController();
            return c;
        } catch (RuntimeException | IOException | Error ex) {
            lab.close();
            if (db != null) {
                db.drop();
            }
            throw ex;
        }
    }

    /** A REST client acting as the admin (a fresh API token). */
    ApiClient api() {
        return new ApiClient(httpPort);
    }

    void startController() {
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

    void stopController() {
        if (controller != null) {
            controller.close();
            controller = null;
        }
    }

    /** {@code bin/wgmesh-agent run} against the controller's gRPC port on the bridge. */
    List<String> agentCommand(String stateDir, String enrolKey, String iface, String... more) {
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

    /** Starts agent {@code n} in its namespace (interface wgm0, stats every 2 s, metrics on its bridge address). */
    void startAgent(int n, String joinToken) {
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

    void stopAgent(int n) {
        HostLab.stop(agents.remove(n));
    }

    /** Waits for agent {@code n}'s identity and answers its first tunnel address. */
    String awaitEnrolled(int n) throws IOException, InterruptedException {
        await("agent " + n + " enrols", Duration.ofSeconds(90), () -> Files.exists(state(n, "identity.json")));
        return identity(n).get("tunnelAddresses").get(0).asString().replaceAll("/.*", "");
    }

    Path state(int n, String file) {
        return work.resolve("a" + n).resolve(file);
    }

    JsonNode identity(int n) throws IOException {
        return ApiClient.JSON.readTree(Files.readAllBytes(state(n, "identity.json")));
    }

    String log(int n) {
        try {
            return Files.readString(work.resolve("agent" + n + ".log"));
        } catch (IOException ex) {
            return "";
        }
    }

    /** The last lines of agent {@code n}'s log, for failure messages. */
    String logTail(int n) {
        String[] lines = log(n).split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 25), lines.length));
    }

    /** Agent {@code n}'s Prometheus text (its data plane's peers), empty when it does not answer. */
    String metrics(int n) {
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

    /** The value of {@code metric} for the peer with base64 key {@code peer} in agent {@code n}'s metrics, or NaN. */
    double peerMetric(int n, String metric, String peer) {
        for (String line : metrics(n).split("\n")) {
            if (line.startsWith(metric + "{") && line.contains("peer=\"" + peer + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** The WireGuard public key of the agent whose id is {@code agentId}, via REST. */
    String publicKey(ApiClient api, java.util.UUID network, String agentId) {
        String peerId =
                api.get("/api/v1/agents/" + agentId).json().get("peerId").asString();
        return api.get("/api/v1/networks/" + network + "/peers/" + peerId)
                .json()
                .get("publicKey")
                .asString();
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(250);
        }
    }

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

    /** Agents and namespaces first (the lab's processes), then the controller, then the database. */
    @Override
    public void close() {
        try {
            lab.close();
        } finally {
            try {
                stopController();
            } finally {
                db.drop();
            }
        }
    }
}
