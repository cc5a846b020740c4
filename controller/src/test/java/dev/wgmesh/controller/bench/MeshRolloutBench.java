package dev.wgmesh.controller.bench;

import dev.wgmesh.controller.agentapi.SimulatedAgent;
import dev.wgmesh.proto.v1.NetworkConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Client side of {@code bench/mesh-rollout.sh}: N sites with one {@link SimulatedAgent} each (implicit full mesh),
 * then (reference) one network-wide change acked by every agent, then a FULL_MESH mesh of all sites: plan time
 * (3 runs) and the time from starting a rollout without health gates to COMPLETED (every agent acked every wave's
 * snapshot), and to the last agent running its final map (every link with its preshared key).
 *
 * <p>Args: {@code HTTP_BASE GRPC_PORT SITES CANARY WAVE CONTROLLER_PID}; env {@code WGMESH_TOKEN}. Bounded: fixed
 * counts, every wait has a timeout.
 */
public final class MeshRolloutBench {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static String base;
    private static String token;

    public static void main(String[] args) throws Exception {
        base = args[0];
        int grpcPort = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        int canary = Integer.parseInt(args[3]);
        int wave = Integer.parseInt(args[4]);
        token = System.getenv("WGMESH_TOKEN");
        if (n > 250) {
            throw new IllegalArgumentException("at most 250 sites (LAN prefixes 172.16.X.0/24)");
        }

        String net = call(
                        "POST",
                        "/api/v1/networks",
                        Map.of("name", "bench-mesh-" + System.nanoTime(), "ipv4Prefix", "10.128.0.0/16"))
                .get("id")
                .asString();
        List<String> sites = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String site = call(
                            "POST",
                            "/api/v1/networks/" + net + "/sites",
                            Map.of("name", "site-" + i, "lanPrefixes", List.of("172.16." + i + ".0/24")))
                    .get("id")
                    .asString();
            sites.add(site);
            tokens.add(call("POST", "/api/v1/networks/" + net + "/enrolment-keys", Map.of("siteId", site))
                    .get("joinToken")
                    .asString());
        }
        List<SimulatedAgent> agents = new ArrayList<>(n);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<SimulatedAgent>> f = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                f.add(pool.submit(() -> {
                    SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpcPort, "site-" + k);
                    a.enroll(tokens.get(k));
                    return a;
                }));
            }
            for (Future<SimulatedAgent> x : f) {
                agents.add(x.get());
            }
        }
        agents.forEach(SimulatedAgent::connect);
        awaitAll(agents, c -> c.getPeersCount() == n - 1);
        System.out.printf(
                "setup:              %d sites, one agent each, full implicit mesh in %.1f s%n",
                n, (System.nanoTime() - t0) / 1e9);

        // Reference: one network-wide change (every entry of every map changes) acked by every agent.
        Thread.sleep(1000);
        JsonNode current = call("GET", "/api/v1/networks/" + net, null);
        ObjectNode network = JSON.createObjectNode();
        for (String f : new String[] {"name", "ipv4Prefix", "mtu"}) {
            network.set(f, current.get(f));
        }
        network.put("persistentKeepalive", 21);
        long r0 = System.nanoTime();
        call("PUT", "/api/v1/networks/" + net, network);
        awaitAll(agents, c -> c.getPeersList().stream().allMatch(p -> p.getPersistentKeepaliveSeconds() == 21));
        double refMs = (lastAck(agents) - r0) / 1e6;
        System.out.printf("reference:          one network-wide change -> all %d agents acked: %.0f ms%n", n, refMs);

        List<Map<String, Object>> members =
                sites.stream().map(s -> Map.<String, Object>of("siteId", s)).toList();
        String mesh = call(
                        "POST",
                        "/api/v1/networks/" + net + "/meshes",
                        Map.of("name", "bench", "topology", "FULL_MESH", "members", members))
                .get("id")
                .asString();
        String meshPath = "/api/v1/networks/" + net + "/meshes/" + mesh;
        double[] plans = new double[3];
        int changed = 0;
        for (int i = 0; i < plans.length; i++) {
            long p0 = System.nanoTime();
            JsonNode plan = call("POST", meshPath + "/plan", null);
            plans[i] = (System.nanoTime() - p0) / 1e6;
            changed = plan.get("agentsChanged").asInt();
        }
        double bestPlan = Arrays.stream(plans).min().orElseThrow();
        System.out.printf(
                "plan:               %d agents changed; %.0f / %.0f / %.0f ms (best %.0f ms)   (goal <= 2000 ms)%n",
                changed, plans[0], plans[1], plans[2], bestPlan);

        Thread.sleep(1000);
        long s0 = System.nanoTime();
        JsonNode rollout = call(
                "POST",
                meshPath + "/rollouts",
                Map.of("canarySize", canary, "waveSize", wave, "pauseSeconds", 0, "healthGates", false));
        String rolloutPath = meshPath + "/rollouts/" + rollout.get("id").asString();
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode state;
        do {
            Thread.sleep(20);
            state = call("GET", rolloutPath, null);
        } while (!state.get("state").asString().equals("COMPLETED") && System.nanoTime() < deadline);
        double completedMs = (System.nanoTime() - s0) / 1e6;
        if (!state.get("state").asString().equals("COMPLETED")) {
            throw new IllegalStateException("rollout did not complete: " + state);
        }
        awaitAll(agents, c -> c.getPeersList().stream()
                .allMatch(p -> p.getPresharedKey().size() == 32));
        double finalMs = (lastAck(agents) - s0) / 1e6;
        System.out.printf(
                "rollout:            %d waves (canary %d, then %d): COMPLETED after %.0f ms, last agent on"
                        + " its final map %.0f ms   (goal <= 5000 ms)%n",
                state.get("waveCount").asInt(), canary, wave, completedMs, finalMs);
        System.out.printf(
                "ratio:              rollout / one network-wide fan-out = %.1f (%d waves)%n",
                completedMs / refMs, state.get("waveCount").asInt());
        int mismatches =
                agents.stream().mapToInt(SimulatedAgent::hashMismatches).sum();
        System.out.println("hash mismatches:    " + mismatches + "   (goal 0)");
        agents.forEach(SimulatedAgent::close);
        System.exit(mismatches == 0 && bestPlan <= 2000 && completedMs <= 5000 ? 0 : 1);
    }

    private static void awaitAll(List<SimulatedAgent> agents, Predicate<NetworkConfig> condition) throws Exception {
        for (SimulatedAgent a : agents) {
            a.await(condition, WAIT);
        }
    }

    /** When the last agent acked the revision it runs now. */
    private static long lastAck(List<SimulatedAgent> agents) {
        long last = 0;
        for (SimulatedAgent a : agents) {
            Long t = a.ackedAtNanos(a.revision());
            last = Math.max(last, t == null ? 0 : t);
        }
        return last;
    }

    private static JsonNode call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        }
        HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + new String(r.body()));
        }
        return JSON.readTree(r.body());
    }
}
