package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.agentapi.AgentTestSupport.enrolmentKey;
import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.proto.v1.PeerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Agents that enrol and connect while their network keeps changing (the pattern of MeshLab and the site-mesh e2e
 * test: each enrolment adds a peer to the maps of the agents already connected, and devices come and go meanwhile),
 * and agents that reconnect in the middle of it. Afterwards every agent must run exactly the peers the controller
 * wants, at the revision the controller recorded as desired, with the hash it wants.
 *
 * <p>Bounded: {@link #ROUNDS} networks of {@link #AGENTS} agents, at most {@link #MAX_CHURN} device changes per
 * round, {@link #CONVERGE} per round to converge.
 */
@IntegrationTest
class SyncRaceIntegrationTest extends SimulatedAgentsTestBase {
    private static final int ROUNDS = 4;
    private static final int AGENTS = 6;
    private static final int MAX_CHURN = 30;
    private static final Duration CONVERGE = Duration.ofSeconds(20);

    @org.springframework.beans.factory.annotation.Autowired
    ChangePoller poller;

    @org.springframework.beans.factory.annotation.Autowired
    AgentStateWriter writer;

    @Test
    void agentsConnectingDuringChangesConvergeToTheDesiredRevision() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            round(round);
        }
    }

    @Test
    void helloBeforeTheEnrolmentReachesTheFanOutStillGetsItsConfiguration() throws Exception {
        UUID net = fx.network("10.151.0.0/24", null);
        SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpc.port(), "early-a");
        SimulatedAgent b = new SimulatedAgent("127.0.0.1", grpc.port(), "early-b");
        agents.add(a);
        agents.add(b);
        a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, CONVERGE);
        // While the outbox reader is held, b's enrolment (its peer's change event) cannot reach the fan-out thread,
        // so b's Hello finds a's cached view without b's peer: as when the Hello wins that race under load.
        synchronized (poller) {
            b.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
            b.connect();
            b.await(c -> AgentTestSupport.hasPeer(c, a.wireguardPublicKey()), CONVERGE);
            a.await(c -> AgentTestSupport.hasPeer(c, b.wireguardPublicKey()), CONVERGE);
        }
        assertThat(b.closedWith()).isNull();
    }

    @Test
    void anAckLostWithTheStreamIsMadeUpByTheNextHello() throws Exception {
        UUID net = fx.network("10.152.0.0/24", null);
        SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpc.port(), "lost-a");
        agents.add(a);
        String id = a.enroll(
                        enrolmentKey(api, net, null, false).get("joinToken").asString())
                .getAgentId();
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, CONVERGE);
        a.ackEnabled(false); // applies the next revision, but its Ack is lost with the stream
        ByteString device = key(fx.device(net, Map.of()));
        a.await(c -> AgentTestSupport.hasPeer(c, device.toByteArray()), CONVERGE);
        a.disconnect();
        assertThat(a.awaitClosed(CONVERGE)).isNotNull();
        a.ackEnabled(true);
        a.connect(); // Hello: runs that revision, with its hash
        awaitConverged(List.of(a), List.of(id), Map.of(device, true));
    }

    @Test
    void aSupersedingSessionNeverReusesARevisionTheOldOneSent() throws Exception {
        UUID net = fx.network("10.153.0.0/24", null);
        SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpc.port(), "reuse-a");
        agents.add(a);
        a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, CONVERGE);
        SimulatedAgent restarted = a.twin(); // a restarted agent without state
        agents.add(restarted);
        ByteString device;
        // While the agent-state writer's batches are held, the revision a's session sends for the device is not
        // written yet when the restarted agent's session starts (as when it takes over within one batch period).
        synchronized (writer) {
            device = key(fx.device(net, Map.of()));
            a.await(c -> AgentTestSupport.hasPeer(c, device.toByteArray()), CONVERGE);
            restarted.connect();
            Thread.sleep(500); // its Hello reaches the fan-out thread
        }
        restarted.await(c -> AgentTestSupport.hasPeer(c, device.toByteArray()), CONVERGE);
        assertThat(restarted.revision()).isGreaterThan(a.revision());
        assertThat(a.awaitClosed(CONVERGE).getCode()).isEqualTo(io.grpc.Status.Code.ABORTED);
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void aLateAckOfASupersededSessionLeavesTheNewerSessionsAppliedState() throws Exception {
        UUID net = fx.network("10.154.0.0/24", null);
        SimulatedAgent a = agent("late-ack-a");
        UUID id = UUID.fromString(
                a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString())
                        .getAgentId());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, CONVERGE);
        long first = a.revision();
        String firstHash = a.hash();
        AgentTestSupport.await("first ack written", () -> appliedRevision(id) == first);
        // A newer stream of the agent started on another replica: it owns the row and recorded the state the agent's
        // Hello reported. This replica has not heard of it yet, so the old stream is still open here.
        jdbc.update(
                "UPDATE agent SET session_id = ?, connected_to = 'replica-b', applied_revision = ?,"
                        + " applied_config_hash = 'from-the-newer-hello' WHERE id = ?",
                UUID.randomUUID(),
                first + 1,
                id);
        a.send(dev.wgmesh.proto.v1.AgentMessage.newBuilder()
                .setAck(dev.wgmesh.proto.v1.Ack.newBuilder()
                        .setRevision(first)
                        .setSuccess(true)
                        .setConfigHash(firstHash))
                .build());
        Thread.sleep(500); // the late Ack is handled and queued
        writer.flush();
        assertThat(appliedRevision(id)).isEqualTo(first + 1);
        assertThat(jdbc.queryForObject("SELECT applied_config_hash FROM agent WHERE id = ?", String.class, id))
                .isEqualTo("from-the-newer-hello");
    }

    private long appliedRevision(UUID agentId) {
        return jdbc.queryForObject("SELECT applied_revision FROM agent WHERE id = ?", Long.class, agentId);
    }

    private void round(int round) throws Exception {
        UUID net = fx.network("10.150." + round + ".0/24", null);
        Map<ByteString, Boolean> devices = new ConcurrentHashMap<>(); // key -> enabled
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> churn(net, devices, stop));
        List<SimulatedAgent> here = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < AGENTS; i++) {
                UUID site = fx.site(net, "192.168." + (round * AGENTS + i) + ".0/24");
                SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpc.port(), "race-" + round + "-" + i);
                agents.add(a);
                here.add(a);
                ids.add(a.enroll(enrolmentKey(api, net, site, false)
                                .get("joinToken")
                                .asString())
                        .getAgentId());
                a.connect();
                if (i % 2 == 1) {
                    // An earlier agent reconnects (same process state: the resume and in-sync paths).
                    SimulatedAgent earlier = here.get(i - 1);
                    earlier.disconnect();
                    assertThat(earlier.awaitClosed(Duration.ofSeconds(10))).isNotNull();
                    earlier.connect();
                }
            }
        } finally {
            stop.set(true);
            churn.get(60, TimeUnit.SECONDS);
        }
        awaitConverged(here, ids, devices);
    }

    /** Creates devices and disables some, until told to stop (bounded by {@link #MAX_CHURN}). */
    private void churn(UUID net, Map<ByteString, Boolean> devices, AtomicBoolean stop) {
        List<ApiClient.Response> created = new ArrayList<>();
        for (int n = 0; n < MAX_CHURN && !stop.get(); n++) {
            if (n % 3 == 2) {
                ApiClient.Response d = created.get(n / 3);
                String path = "/api/v1/networks/" + net + "/peers/" + d.id();
                var put = api.put(
                        path,
                        map("name", d.json().get("name").asString(), "enabled", false),
                        Map.of("If-Match", api.get(path).header("ETag")));
                assertThat(put.status()).as(put.toString()).isEqualTo(200);
                devices.put(key(d), false);
            } else {
                ApiClient.Response d = fx.device(net, Map.of());
                created.add(d);
                devices.put(key(d), true);
            }
        }
    }

    private static ByteString key(ApiClient.Response device) {
        return ByteString.copyFrom(
                Base64.getDecoder().decode(device.json().get("publicKey").asString()));
    }

    /**
     * Each agent: peers = every other agent and every enabled device; the controller's desired revision and hash =
     * what the agent acknowledged = what it runs.
     */
    private void awaitConverged(List<SimulatedAgent> here, List<String> ids, Map<ByteString, Boolean> devices)
            throws InterruptedException {
        Set<ByteString> enabledDevices = devices.entrySet().stream()
                .filter(Map.Entry::getValue)
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        long end = System.nanoTime() + CONVERGE.toNanos();
        List<String> problems = List.of();
        while (System.nanoTime() < end) {
            problems = new ArrayList<>();
            for (int i = 0; i < here.size(); i++) {
                String p = problem(here, i, ids.get(i), enabledDevices);
                if (p != null) {
                    problems.add(p);
                }
            }
            if (problems.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not converged within " + CONVERGE + ":\n" + String.join("\n", problems));
    }

    private String problem(List<SimulatedAgent> here, int i, String agentId, Set<ByteString> enabledDevices) {
        SimulatedAgent a = here.get(i);
        Set<ByteString> want = new HashSet<>(enabledDevices);
        for (SimulatedAgent other : here) {
            if (other != a) {
                want.add(ByteString.copyFrom(other.wireguardPublicKey()));
            }
        }
        Set<ByteString> have =
                a.config().getPeersList().stream().map(PeerConfig::getPublicKey).collect(Collectors.toSet());
        JsonNode item = api.get("/api/v1/agents/" + agentId).json();
        boolean ok = have.equals(want)
                && a.hashMismatches() == 0
                && item.get("online").asBoolean()
                && !item.get("drift").asBoolean()
                && item.get("desiredRevision").asLong() == a.revision()
                && item.get("appliedRevision").asLong() == a.revision()
                && a.hash().equals(item.get("desiredConfigHash").asString())
                && a.hash().equals(item.get("appliedConfigHash").asString());
        if (ok) {
            return null;
        }
        Set<ByteString> missing = new HashSet<>(want);
        missing.removeAll(have);
        Set<ByteString> extra = new HashSet<>(have);
        extra.removeAll(want);
        return a.describe() + ", " + missing.size() + " missing and " + extra.size() + " extra peer(s), "
                + a.hashMismatches() + " hash mismatch(es), hash " + a.hash() + "; controller: " + item;
    }
}
