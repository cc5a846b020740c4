package dev.wgmesh.controller.rollout;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.agentapi.SimulatedAgent;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.PeerStats;
import dev.wgmesh.proto.v1.StatsReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A network of sites, one {@link SimulatedAgent} per site (enrolled with a site-bound key, connected), for rollout
 * tests: a healthy data plane is simulated by reporting, every 300 ms, a fresh handshake and an answered probe for
 * every peer an agent's config has (agents in {@link #silent} report nothing).
 */
final class MeshLab implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    volatile ApiClient api;
    final Fixtures fx;
    final UUID net;
    final List<UUID> sites = new ArrayList<>();
    final List<SimulatedAgent> agents = new ArrayList<>();
    final List<UUID> peers = new ArrayList<>();
    final Set<Integer> silent = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("meshlab-stats").daemon().factory());

    MeshLab(ApiClient api, int grpcPort, String ipv4Prefix, int lanBase, int siteCount) throws InterruptedException {
        this.api = api;
        this.fx = new Fixtures(api);
        this.net = fx.network(ipv4Prefix, null);
        for (int i = 0; i < siteCount; i++) {
            UUID site = fx.site(net, "192.168." + (lanBase + i) + ".0/24");
            sites.add(site);
            var key = api.post("/api/v1/networks/" + net + "/enrolment-keys", map("siteId", site));
            assertThat(key.status()).as(key.toString()).isEqualTo(201);
            SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpcPort, "site-" + i);
            a.enroll(key.json().get("joinToken").asString());
            a.connect();
            agents.add(a);
            peers.add(UUID.fromString(api.get("/api/v1/agents/" + a.identity().getAgentId())
                    .json()
                    .get("peerId")
                    .asString()));
        }
        for (SimulatedAgent a : agents) {
            a.await(c -> c.getPeersCount() == siteCount - 1, WAIT);
        }
        reporter.scheduleWithFixedDelay(this::report, 300, 300, TimeUnit.MILLISECONDS);
    }

    private void report() {
        long now = System.currentTimeMillis();
        for (int i = 0; i < agents.size(); i++) {
            if (silent.contains(i)) {
                continue;
            }
            SimulatedAgent a = agents.get(i);
            StatsReport.Builder r = StatsReport.newBuilder().setTimeUnixMs(now);
            for (PeerConfig p : a.config().getPeersList()) {
                r.addPeers(PeerStats.newBuilder()
                        .setPublicKey(p.getPublicKey())
                        .setLastHandshakeUnixMs(now - 2000)
                        .setProbeRttUs(700));
            }
            try {
                a.sendStats(r.build());
            } catch (RuntimeException ignored) {
                // a stopped agent
            }
        }
    }

    /** The same agents, reconnected to another controller (a restarted one). */
    void reconnect(ApiClient newApi, int grpcPort) {
        api = newApi;
        for (int i = 0; i < agents.size(); i++) {
            SimulatedAgent old = agents.get(i);
            SimulatedAgent twin = old.twin(grpcPort);
            old.close();
            twin.connect();
            agents.set(i, twin);
        }
    }

    String meshes() {
        return "/api/v1/networks/" + net + "/meshes";
    }

    UUID createMesh(String topology, List<UUID> hubs) {
        List<Map<String, Object>> members =
                sites.stream().map(s -> map("siteId", s)).toList();
        var r = api.post(meshes(), map("name", "m", "topology", topology, "hubs", hubs, "members", members));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.id();
    }

    void updateMesh(UUID mesh, String topology, List<UUID> hubs) {
        List<Map<String, Object>> members =
                sites.stream().map(s -> map("siteId", s)).toList();
        var r = api.put(
                meshes() + "/" + mesh,
                map("name", "m", "topology", topology, "hubs", hubs, "members", members),
                Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    UUID startRollout(UUID mesh, Map<String, Object> options) {
        var r = api.post(meshes() + "/" + mesh + "/rollouts", options);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.id();
    }

    String rollout(UUID mesh, UUID rollout) {
        return meshes() + "/" + mesh + "/rollouts/" + rollout;
    }

    JsonNode awaitState(UUID mesh, UUID rollout, String state) throws InterruptedException {
        return await(mesh, rollout, r -> r.get("state").asString().equals(state), "state " + state);
    }

    JsonNode await(UUID mesh, UUID rollout, Predicate<JsonNode> condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        JsonNode r;
        do {
            r = api.get(rollout(mesh, rollout)).json();
            if (condition.test(r)) {
                return r;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end);
        throw new AssertionError("rollout never reached " + what + ": " + r + "\nevents: "
                + api.get(rollout(mesh, rollout) + "/events").text());
    }

    List<String> eventKinds(UUID mesh, UUID rollout) {
        List<String> out = new ArrayList<>();
        api.get(rollout(mesh, rollout) + "/events")
                .json()
                .get("items")
                .forEach(e -> out.add(e.get("kind").asString()));
        return out;
    }

    /** Agent {@code i}'s entry for agent {@code j}, if it has one. */
    Optional<PeerConfig> entry(int i, int j) {
        return entry(agents.get(i).config(), agents.get(j).wireguardPublicKey());
    }

    static Optional<PeerConfig> entry(NetworkConfig c, byte[] key) {
        return c.getPeersList().stream()
                .filter(p -> Arrays.equals(p.getPublicKey().toByteArray(), key))
                .findFirst();
    }

    ByteString psk(int i, int j) {
        return entry(i, j).orElseThrow().getPresharedKey();
    }

    String tunnelIp(int i) {
        return agents.get(i).config().getInterfaceConfig().getAddresses(0).replaceAll("/.*", "");
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        agents.forEach(SimulatedAgent::close);
    }
}
