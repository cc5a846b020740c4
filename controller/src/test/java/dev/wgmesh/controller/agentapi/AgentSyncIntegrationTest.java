package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.agentapi.AgentTestSupport.await;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.enrolmentKey;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.hasPeer;
import static dev.wgmesh.controller.agentapi.AgentTestSupport.peer;
import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.proto.v1.Ack;
import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.Keepalive;
import dev.wgmesh.proto.v1.PeerStats;
import dev.wgmesh.proto.v1.StatsReport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/** Enrol, Sync, deltas, acks, drift, supersede, fencing, revocation, stats: real gRPC + TLS on loopback. */
@IntegrationTest
class AgentSyncIntegrationTest extends SimulatedAgentsTestBase {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    ControllerCa ca;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void keyCreationCarriesThePinAndJoinToken() {
        UUID net = fx.network("10.60.0.0/24", null);
        JsonNode key = enrolmentKey(api, net, null, false);
        assertThat(key.get("caFingerprint").asString())
                .isEqualTo(ca.fingerprint())
                .matches("sha256:[0-9a-f]{64}");
        assertThat(key.get("joinToken").asString())
                .isEqualTo(key.get("secret").asString() + "." + ca.fingerprint().substring(7));
    }

    @Test
    void snapshotThenDeltasAckedWithMatchingHashes() throws Exception {
        UUID net = fx.network("10.61.0.0/24", "fd00:61::/64");
        UUID siteA = fx.site(net, "192.168.10.0/24");
        UUID siteB = fx.site(net, "192.168.20.0/24");
        SimulatedAgent a = agent("host-a");
        SimulatedAgent b = agent("host-b");
        var ida = a.enroll(enrolmentKey(api, net, siteA, false).get("joinToken").asString());
        var idb = b.enroll(enrolmentKey(api, net, siteB, false).get("joinToken").asString());
        assertThat(ida.getTunnelAddressesList()).hasSize(2);
        assertThat(ida.getSiteId()).isEqualTo(siteA.toString());
        assertThat(ida.getClientCertificateDer().isEmpty()).isFalse();

        a.connect();
        b.connect();
        var config = a.await(c -> hasPeer(c, b.wireguardPublicKey()), WAIT);
        assertThat(a.received().getFirst().hasSnapshot()).isTrue();
        assertThat(config.getInterfaceConfig().getAddressesList())
                .containsExactlyElementsOf(ida.getTunnelAddressesList());
        assertThat(config.getInterfaceConfig().getMtu()).isEqualTo(1420);
        assertThat(config.getInterfaceConfig().getRoutesList()).containsExactly("192.168.20.0/24");
        assertThat(config.getInterfaceConfig().getLocalLanPrefixesList()).containsExactly("192.168.10.0/24");
        var toB = peer(config, b.wireguardPublicKey());
        assertThat(toB.getAllowedIpsList())
                .containsAll(idb.getTunnelAddressesList())
                .contains("192.168.20.0/24");
        assertThat(toB.getEndpoint()).isEqualTo("192.0.2.10:51820");
        assertThat(toB.getPersistentKeepaliveSeconds()).isEqualTo(25);
        assertThat(toB.getProbe()).isTrue();

        // A device appears in both (reachable) agents' maps as a delta, with a per-link preshared key.
        var device = fx.device(net, Map.of());
        byte[] deviceKey =
                Base64.getDecoder().decode(device.json().get("publicKey").asString());
        var withDevice = a.await(c -> hasPeer(c, deviceKey), WAIT);
        assertThat(peer(withDevice, deviceKey).getPresharedKey().size()).isEqualTo(32);
        assertThat(a.received().stream().anyMatch(ControllerMessage::hasDelta)).isTrue();
        b.await(c -> hasPeer(c, deviceKey), WAIT);
        assertThat(peer(b.config(), deviceKey).getPresharedKey())
                .isNotEqualTo(peer(withDevice, deviceKey).getPresharedKey());

        // Disabling it removes it again.
        String devicePath = "/api/v1/networks/" + net + "/peers/" + device.id();
        var etag = api.get(devicePath).header("ETag");
        var put = api.put(
                devicePath,
                map("name", device.json().get("name").asString(), "enabled", false),
                Map.of("If-Match", etag));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        a.await(c -> !hasPeer(c, deviceKey), WAIT);
        assertThat(a.hashMismatches()).isZero();
        assertThat(b.hashMismatches()).isZero();

        // The API shows the revision and hash the agent acknowledged: no drift.
        long revision = a.revision();
        await(
                "applied revision recorded",
                () -> api.get("/api/v1/agents/" + ida.getAgentId())
                                .json()
                                .get("appliedRevision")
                                .asLong()
                        == revision);
        JsonNode item = api.get("/api/v1/agents/" + ida.getAgentId()).json();
        assertThat(item.get("online").asBoolean()).isTrue();
        assertThat(item.get("desiredRevision").asLong()).isEqualTo(revision);
        assertThat(item.get("appliedConfigHash").asString()).isEqualTo(a.hash());
        assertThat(item.get("drift").asBoolean()).isFalse();
        assertThat(item.get("connectedTo").asString()).isNotBlank();
        JsonNode list =
                api.get("/api/v1/agents?networkId=" + net + "&online=true").json();
        assertThat(list.get("totalItems").asLong()).isEqualTo(2);

        // Drift: the agent says it runs something else.
        a.ackWithHash("0".repeat(64));
        await("drift flagged", () -> api.get("/api/v1/agents/" + ida.getAgentId())
                .json()
                .get("drift")
                .asBoolean());
        assertThat(api.get("/api/v1/agents?networkId=" + net + "&drift=true")
                        .json()
                        .get("totalItems")
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void reconnectWithCurrentStateGetsNothingAndChangesResumeAsDeltas() throws Exception {
        UUID net = fx.network("10.62.0.0/24", null);
        SimulatedAgent a = agent("resume-a");
        SimulatedAgent b = agent("resume-b");
        a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        b.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
        b.connect();
        a.await(c -> hasPeer(c, b.wireguardPublicKey()), WAIT);
        long revision = a.revision();

        a.disconnect();
        a.awaitClosed(WAIT);
        int before = a.received().size();
        a.connect(); // same revision and hash: in sync, nothing to send
        Thread.sleep(500);
        assertThat(a.received().subList(before, a.received().size())).noneMatch(m -> m.hasSnapshot() || m.hasDelta());
        assertThat(a.revision()).isEqualTo(revision);

        fx.device(net, Map.of());
        a.await(c -> c.getPeersCount() == 2, WAIT);
        assertThat(a.received().getLast().hasDelta()).isTrue();
        assertThat(a.revision()).isGreaterThan(revision);
    }

    @Test
    void newStreamSupersedesTheOldAndStaleDisconnectKeepsAgentOnline() throws Exception {
        UUID net = fx.network("10.63.0.0/24", null);
        SimulatedAgent a = agent("supersede");
        var id = a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
        SimulatedAgent twin = a.twin();
        agents.add(twin);
        twin.connect();
        Status old = a.awaitClosed(WAIT);
        assertThat(old.getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(old.getDescription()).contains("superseded");
        Thread.sleep(300); // the old stream's end has been processed
        assertThat(api.get("/api/v1/agents/" + id.getAgentId())
                        .json()
                        .get("online")
                        .asBoolean())
                .isTrue();

        twin.disconnect();
        await("offline after the current stream ends", () -> !api.get("/api/v1/agents/" + id.getAgentId())
                .json()
                .get("online")
                .asBoolean());
    }

    @Test
    void enrolmentRefusalsHaveClearCodesAndChangeNothing() throws Exception {
        UUID net = fx.network("10.64.0.0/24", null);
        String pin = ca.fingerprint().substring(7);
        JsonNode oneShot = enrolmentKey(api, net, null, false);
        String secret = oneShot.get("secret").asString();

        SimulatedAgent first = agent("first");
        var id = first.enroll(oneShot.get("joinToken").asString());
        // Retry with the same key and public key: same identity, no use consumed.
        var again = first.enroll(secret, pin, true);
        assertThat(again.getAgentId()).isEqualTo(id.getAgentId());
        // Another agent: the one-shot key is used up.
        assertCode(() -> agent("second").enroll(secret, pin, true), Status.Code.RESOURCE_EXHAUSTED);
        // Unknown key.
        assertCode(
                () -> agent("x").enroll("wgek_" + "a".repeat(32) + "_" + "b".repeat(43), pin, true),
                Status.Code.UNAUTHENTICATED);
        // Revoked key.
        JsonNode revoked = enrolmentKey(api, net, null, true);
        api.delete(
                "/api/v1/networks/" + net + "/enrolment-keys/"
                        + revoked.get("key").get("id").asString(),
                Map.of());
        assertCode(() -> agent("r").enroll(revoked.get("secret").asString(), pin, true), Status.Code.PERMISSION_DENIED);
        // Expired key.
        JsonNode expired = enrolmentKey(api, net, null, true);
        jdbc.update(
                "UPDATE enrolment_key SET expires_at = ? WHERE id = ?",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(5)),
                UUID.fromString(expired.get("key").get("id").asString()));
        assertCode(() -> agent("e").enroll(expired.get("secret").asString(), pin, true), Status.Code.PERMISSION_DENIED);

        // Malformed requests: INVALID_ARGUMENT, no peer, no agent, no use of the key.
        JsonNode fresh = enrolmentKey(api, net, null, false);
        int peersBefore = count("SELECT COUNT(*) FROM peer WHERE network_id = ?", net);
        var stub = pinnedStub(pin);
        assertCode(
                () -> stub.enroll(dev.wgmesh.proto.v1.EnrollRequest.newBuilder()
                        .setEnrolmentKey(fresh.get("secret").asString())
                        .setWireguardPublicKey(ByteString.copyFrom(new byte[31]))
                        .build()),
                Status.Code.INVALID_ARGUMENT);
        assertCode(
                () -> stub.enroll(dev.wgmesh.proto.v1.EnrollRequest.newBuilder()
                        .setEnrolmentKey(fresh.get("secret").asString())
                        .setWireguardPublicKey(ByteString.copyFrom(new byte[32]))
                        .setCsrDer(ByteString.copyFromUtf8("not a csr"))
                        .build()),
                Status.Code.INVALID_ARGUMENT);
        assertThat(count("SELECT COUNT(*) FROM peer WHERE network_id = ?", net)).isEqualTo(peersBefore);
        assertThat(count(
                        "SELECT use_count FROM enrolment_key WHERE id = ?",
                        UUID.fromString(fresh.get("key").get("id").asString())))
                .isZero();
        // Without a CSR: a bearer secret that works for Sync.
        SimulatedAgent bearer = agent("bearer");
        var bid = bearer.enroll(fresh.get("secret").asString(), pin, false);
        assertThat(bid.getBearerSecret()).startsWith("wga_");
        bearer.connect();
        bearer.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
    }

    private dev.wgmesh.proto.v1.AgentServiceGrpc.AgentServiceBlockingStub pinnedStub(String pin) throws Exception {
        var ssl = io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
                .trustManager(SimulatedAgent.pinnedTrust(pin))
                .build();
        var ch = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", grpc.port())
                .sslContext(ssl)
                .build();
        closeLater.add(ch);
        return dev.wgmesh.proto.v1.AgentServiceGrpc.newBlockingStub(ch)
                .withDeadlineAfter(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    final List<io.grpc.ManagedChannel> closeLater = new java.util.ArrayList<>();

    @AfterEach
    void closeChannels() {
        closeLater.forEach(io.grpc.ManagedChannel::shutdownNow);
    }

    private int count(String sql, Object arg) {
        Integer n = jdbc.queryForObject(sql, Integer.class, arg);
        return n == null ? 0 : n;
    }

    private static void assertCode(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, ex -> assertThat(
                        ex.getStatus().getCode())
                .as(ex.getStatus().toString())
                .isEqualTo(code));
    }

    @Test
    void serverWithAnotherCaIsRefusedByThePin() {
        UUID net = fx.network("10.65.0.0/24", null);
        String secret = enrolmentKey(api, net, null, false).get("secret").asString();
        assertCode(() -> agent("pinned").enroll(secret, "00".repeat(32), true), Status.Code.UNAVAILABLE);
        // And nothing was enrolled.
        assertThat(count("SELECT COUNT(*) FROM agent WHERE network_id = ?", net))
                .isZero();
    }

    @Test
    void malformedSyncMessagesAreRefusedWithClearStatus() throws Exception {
        UUID net = fx.network("10.66.0.0/24", null);
        SimulatedAgent a = agent("malformed");
        var id = a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
        long revision = a.revision();
        a.send(AgentMessage.newBuilder()
                .setAck(Ack.newBuilder()
                        .setRevision(revision + 100)
                        .setSuccess(true)
                        .setConfigHash("x"))
                .build());
        Status s = a.awaitClosed(WAIT);
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).contains("never sent");
        Thread.sleep(300);
        assertThat(api.get("/api/v1/agents/" + id.getAgentId())
                        .json()
                        .get("appliedRevision")
                        .asLong())
                .isEqualTo(revision);

        // First message not Hello.
        var stub = dev.wgmesh.proto.v1.AgentServiceGrpc.newStub(a.channel());
        var closed = new java.util.concurrent.CompletableFuture<Status>();
        var stream = stub.sync(new io.grpc.stub.StreamObserver<>() {
            public void onNext(ControllerMessage m) {}

            public void onError(Throwable t) {
                closed.complete(Status.fromThrowable(t));
            }

            public void onCompleted() {
                closed.complete(Status.OK);
            }
        });
        stream.onNext(AgentMessage.newBuilder()
                .setKeepalive(Keepalive.newBuilder().setTimeUnixMs(1))
                .build());
        Status first = closed.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(first.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);

        // Hello for another agent's id with this certificate.
        SimulatedAgent other = agent("other");
        var otherId = other.enroll(
                enrolmentKey(api, net, null, false).get("joinToken").asString());
        var closed2 = new java.util.concurrent.CompletableFuture<Status>();
        var stream2 = stub.sync(new io.grpc.stub.StreamObserver<>() {
            public void onNext(ControllerMessage m) {}

            public void onError(Throwable t) {
                closed2.complete(Status.fromThrowable(t));
            }

            public void onCompleted() {
                closed2.complete(Status.OK);
            }
        });
        stream2.onNext(AgentMessage.newBuilder()
                .setHello(dev.wgmesh.proto.v1.Hello.newBuilder().setAgentId(otherId.getAgentId()))
                .build());
        assertThat(closed2.get(15, java.util.concurrent.TimeUnit.SECONDS).getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void statsAreStoredAndServed() throws Exception {
        UUID net = fx.network("10.67.0.0/24", null);
        SimulatedAgent a = agent("stats-a");
        SimulatedAgent b = agent("stats-b");
        a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        var idb = b.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        b.connect();
        a.await(c -> hasPeer(c, b.wireguardPublicKey()), WAIT);
        UUID aPeer = peerIdOf(a);
        UUID bPeer = peerIdOf(b);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 2; i++) {
            a.sendStats(StatsReport.newBuilder()
                    .setTimeUnixMs(now - 10_000 + i * 10_000L)
                    .addPeers(PeerStats.newBuilder()
                            .setPublicKey(ByteString.copyFrom(b.wireguardPublicKey()))
                            .setRxBytes(1000 + i * 10_000L)
                            .setTxBytes(2000 + i * 20_000L)
                            .setHandshakeRttUs(1500)
                            .setProbeRttUs(800)
                            .setLastHandshakeUnixMs(now - 30_000)
                            .setSojournP99Us(2500))
                    .build());
        }
        String base = "/api/v1/networks/" + net + "/peers/" + aPeer + "/stats";
        await("stats stored", () -> api.get(base + "/latest").status() == 200);
        JsonNode latest = api.get(base + "/latest?remotePeerId=" + bPeer).json();
        assertThat(latest.get("rxBytes").asLong()).isEqualTo(11_000);
        assertThat(latest.get("rxBps").asDouble()).isEqualTo(1000.0);
        assertThat(latest.get("txBps").asDouble()).isEqualTo(2000.0);
        assertThat(latest.get("handshakeRttMs").asDouble()).isEqualTo(1.5);
        assertThat(latest.get("probeRttMs").asDouble()).isEqualTo(0.8);
        assertThat(latest.get("handshakeAgeS").asDouble()).isEqualTo(30.0);
        assertThat(latest.get("sojournP99Ms").asDouble()).isEqualTo(2.5);
        assertThat(latest.get("queuePackets").asLong()).isZero();
        JsonNode series = api.get(base).json();
        assertThat(series.get("resolution").asString()).isEqualTo("raw");
        assertThat(series.get("peerId").asString()).isEqualTo(aPeer.toString());
        assertThat(series.get("samples")).hasSize(2);
        assertThat(api.get("/api/v1/networks/" + net + "/peers/" + bPeer + "/stats/latest")
                        .status())
                .isEqualTo(404);
        assertThat(api.get(base + "?from=yesterday").status()).isEqualTo(400);
        assertThat(idb.getAgentId()).isNotBlank();

        // A malformed report is refused and stores nothing.
        int rows = count("SELECT COUNT(*) FROM peer_stats WHERE agent_peer_id = ?", aPeer);
        a.sendStats(StatsReport.newBuilder()
                .setTimeUnixMs(now)
                .addPeers(PeerStats.newBuilder().setPublicKey(ByteString.copyFrom(new byte[5])))
                .build());
        assertThat(a.awaitClosed(WAIT).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(count("SELECT COUNT(*) FROM peer_stats WHERE agent_peer_id = ?", aPeer))
                .isEqualTo(rows);
    }

    private UUID peerIdOf(SimulatedAgent a) {
        return jdbc.queryForObject(
                "SELECT peer_id FROM agent WHERE id = ?",
                UUID.class,
                UUID.fromString(a.identity().getAgentId()));
    }

    @Test
    void revocationClosesTheStreamAndRefusesReconnects() throws Exception {
        UUID net = fx.network("10.68.0.0/24", null);
        SimulatedAgent a = agent("revoked");
        var id = a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
        a.connect();
        a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
        var r = api.post("/api/v1/agents/" + id.getAgentId() + "/revoke", Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("revokedAt").isNull()).isFalse();
        assertThat(a.awaitClosed(WAIT).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(a.received().stream()
                        .anyMatch(m -> m.hasControl() && m.getControl().hasRevoked()))
                .isTrue();
        a.connect();
        assertThat(a.awaitClosed(WAIT).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(api.get("/api/v1/agents/" + UUID.randomUUID()).status()).isEqualTo(404);
    }
}
