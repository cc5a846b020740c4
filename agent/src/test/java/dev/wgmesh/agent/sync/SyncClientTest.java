package dev.wgmesh.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import dev.wgmesh.proto.v1.Ack;
import dev.wgmesh.proto.v1.AgentEvent;
import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.Control;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.Hello;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.Reconnect;
import dev.wgmesh.proto.v1.Revoked;
import dev.wgmesh.proto.v1.Snapshot;
import dev.wgmesh.proto.v1.StatsReport;
import dev.wgmesh.proto.v1.StatsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync state machine against an in-process controller, with a real {@link Device} over in-memory I/O and a
 * fake host.
 */
@Timeout(60)
class SyncClientTest {
    private static final InterfaceConfig IFACE = InterfaceConfig.newBuilder()
            .addAddresses("10.99.0.1/24")
            .setMtu(1420)
            .build();

    @TempDir
    Path dir;

    private FakeController controller;
    private Device device;
    private FakeHost host;
    private StateDir state;
    private ConfigApplier applier;
    private SyncClient client;
    private Thread thread;
    private final List<List<PeerConfig>> probeUpdates = new CopyOnWriteArrayList<>();

    /** Records what the host was asked to do; can be told to fail. */
    static final class FakeHost implements HostApplier {
        final List<InterfaceConfig> applied = new CopyOnWriteArrayList<>();
        volatile boolean fail;

        @Override
        public void validate(InterfaceConfig config) {
            if (config.getMtu() != 0 && config.getMtu() < 68) {
                throw new IllegalArgumentException("MTU too small");
            }
        }

        @Override
        public void apply(InterfaceConfig config) throws Exception {
            if (fail) {
                throw new Exception("ip: RTNETLINK answers: Operation not permitted");
            }
            applied.add(config);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        controller = new FakeController();
        FakeClock clock = new FakeClock();
        device = new Device(
                new MemoryTun("wgt0", 1420),
                new MemoryNetwork().newTransport("192.0.2.100"),
                new ManualScheduler(clock));
        device.apply(
                new dev.wgmesh.dataplane.config.ConfigChange(Keys.generatePrivateKey(), 51820, null, false, List.of()));
        host = new FakeHost();
        state = StateDir.open(dir.resolve("state"));
        applier = new ConfigApplier(device, host, state, probeUpdates::add);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.stop();
            thread.join(5000);
        }
        controller.close();
        device.close();
    }

    private void start(SyncSettings settings) {
        client = new SyncClient(
                controller.channel,
                () -> Hello.newBuilder()
                        .setAgentId("agent-1")
                        .setListenPort(51820)
                        .build(),
                applier,
                () -> StatsReport.newBuilder()
                        .setTimeUnixMs(System.currentTimeMillis())
                        .build(),
                settings,
                new Random(1),
                connected -> {});
        thread = Thread.ofPlatform().name("sync-test").start(client);
    }

    private void start() {
        start(new SyncSettings(
                Duration.ofSeconds(15),
                Duration.ofMinutes(10),
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                Duration.ofSeconds(30)));
    }

    static byte[] key(int i) {
        byte[] k = new byte[32];
        k[1] = (byte) i; // not k[0]: clamping clears its low bits
        k[31] = 0x40;
        return X25519.publicKey(k);
    }

    static PeerConfig peer(int i, String... allowed) {
        return PeerConfig.newBuilder()
                .setPublicKey(ByteString.copyFrom(key(i)))
                .setEndpoint("192.0.2." + i + ":51820")
                .setPersistentKeepaliveSeconds(25)
                .addAllAllowedIps(List.of(allowed))
                .setName("site-" + i)
                .setProbe(true)
                .setProbeAddress("10.99.0." + (10 + i))
                .build();
    }

    static NetworkConfig config(PeerConfig... peers) {
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(IFACE)
                .addAllPeers(List.of(peers))
                .build();
    }

    static ControllerMessage keepalive() {
        return ControllerMessage.newBuilder()
                .setKeepalive(dev.wgmesh.proto.v1.Keepalive.newBuilder().setTimeUnixMs(System.currentTimeMillis()))
                .build();
    }

    static ControllerMessage snapshot(long revision, NetworkConfig config) {
        return ControllerMessage.newBuilder()
                .setSnapshot(Snapshot.newBuilder()
                        .setRevision(revision)
                        .setConfig(config)
                        .setConfigHash(ConfigHashes.hash(config)))
                .build();
    }

    static ControllerMessage delta(long from, long to, List<PeerConfig> upserted, List<byte[]> removed) {
        Delta.Builder d =
                Delta.newBuilder().setFromRevision(from).setRevision(to).addAllUpsertedPeers(upserted);
        removed.forEach(k -> d.addRemovedPeerKeys(ByteString.copyFrom(k)));
        return ControllerMessage.newBuilder().setDelta(d).build();
    }

    private List<String> devicePeers() {
        List<String> out = new ArrayList<>();
        for (DeviceConfig.PeerConfig p : device.snapshot().peers()) {
            out.add(Keys.toBase64(p.publicKey()) + " " + p.allowedIps());
        }
        return out;
    }

    private FakeController.Stream helloStream() throws InterruptedException {
        FakeController.Stream s = controller.nextStream();
        assertThat(s.next().hasHello()).isTrue();
        return s;
    }

    @Test
    void snapshotIsAppliedAckedWithTheControllersHashAndPersisted() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        NetworkConfig cfg = config(peer(1, "10.99.0.11/32", "192.168.1.0/24"), peer(2, "10.99.0.12/32"));
        s.send(snapshot(7, cfg));

        Ack ack = s.nextSignificant().getAck();
        assertThat(ack.getRevision()).isEqualTo(7);
        assertThat(ack.getSuccess()).isTrue();
        assertThat(ack.getConfigHash()).isEqualTo(ConfigHashes.hash(cfg)); // no drift: both sides agree
        assertThat(device.snapshot().peers()).hasSize(2);
        // The host also routes every peer's allowed IPs into the tunnel (as wg-quick), beyond the interface routes.
        assertThat(host.applied)
                .containsExactly(IFACE.toBuilder()
                        .addRoutes("10.99.0.11/32")
                        .addRoutes("192.168.1.0/24")
                        .addRoutes("10.99.0.12/32")
                        .build());
        assertThat(probeUpdates.getLast()).hasSize(2);
        Snapshot persisted =
                Snapshot.parseFrom(state.read(ConfigApplier.LAST_CONFIG).orElseThrow());
        assertThat(persisted.getRevision()).isEqualTo(7);
        assertThat(persisted.getConfig()).isEqualTo(cfg);
        assertThat(persisted.getConfigHash()).isEqualTo(ack.getConfigHash());
    }

    @Test
    void deltaChangesOnlyWhatItNamesAndUnchangedPeersKeepTheirObjects() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        s.send(snapshot(1, config(peer(1, "10.99.0.11/32"), peer(2, "10.99.0.12/32"))));
        assertThat(s.nextSignificant().getAck().getSuccess()).isTrue();
        long hs1 = device.snapshot().peers().getFirst().lastHandshakeEpochNanos();

        s.send(delta(1, 2, List.of(peer(3, "10.99.0.13/32")), List.of(key(2))));
        Ack ack = s.nextSignificant().getAck();
        assertThat(ack.getRevision()).isEqualTo(2);
        assertThat(ack.getSuccess()).isTrue();
        NetworkConfig expected = config(peer(1, "10.99.0.11/32"), peer(3, "10.99.0.13/32"));
        assertThat(ack.getConfigHash()).isEqualTo(ConfigHashes.hash(expected));
        assertThat(devicePeers())
                .containsExactly(
                        Keys.toBase64(key(1)) + " [10.99.0.11/32]", Keys.toBase64(key(3)) + " [10.99.0.13/32]");
        assertThat(device.snapshot().peers().getFirst().lastHandshakeEpochNanos())
                .isEqualTo(hs1);
        assertThat(applier.current().revision()).isEqualTo(2);
        assertThat(host.applied).hasSize(1); // the delta had no interface part
    }

    @Test
    void deltaGapAsksForASnapshotAndChangesNothing() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        NetworkConfig cfg = config(peer(1, "10.99.0.11/32"));
        s.send(snapshot(3, cfg));
        s.nextSignificant();

        s.send(delta(5, 6, List.of(peer(2, "10.99.0.12/32")), List.of()));
        Ack ack = s.nextSignificant().getAck();
        assertThat(ack.getRevision()).isEqualTo(6);
        assertThat(ack.getSuccess()).isFalse();
        assertThat(ack.getError()).contains("revision 5").contains("revision 3");
        assertThat(ack.getConfigHash()).isEqualTo(ConfigHashes.hash(cfg));
        assertThat(device.snapshot().peers()).hasSize(1);
        assertThat(applier.current().revision()).isEqualTo(3);

        NetworkConfig full = config(peer(1, "10.99.0.11/32"), peer(2, "10.99.0.12/32"));
        s.send(snapshot(6, full));
        assertThat(s.nextSignificant().getAck().getConfigHash()).isEqualTo(ConfigHashes.hash(full));
        assertThat(device.snapshot().peers()).hasSize(2);
    }

    @Test
    void staleRevisionsAreIgnored() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        s.send(snapshot(10, config(peer(1, "10.99.0.11/32"))));
        s.nextSignificant();

        s.send(snapshot(9, config(peer(2, "10.99.0.12/32"))));
        s.send(delta(8, 10, List.of(peer(3, "10.99.0.13/32")), List.of()));
        // A following current revision proves the stale ones were processed (and ignored) first.
        s.send(delta(10, 11, List.of(), List.of()));
        Ack ack = s.nextSignificant().getAck();
        assertThat(ack.getRevision()).isEqualTo(11);
        assertThat(devicePeers()).containsExactly(Keys.toBase64(key(1)) + " [10.99.0.11/32]");
    }

    @Test
    void malformedRevisionIsRejectedWithNothingApplied() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        NetworkConfig good = config(peer(1, "10.99.0.11/32"));
        s.send(snapshot(1, good));
        s.nextSignificant();
        byte[] before = state.read(ConfigApplier.LAST_CONFIG).orElseThrow();

        s.send(snapshot(2, config(peer(1, "10.99.0.11/32"), peer(2, "10.99.0.12/33"))));
        Ack ack = s.nextSignificant().getAck();
        assertThat(ack.getSuccess()).isFalse();
        assertThat(ack.getRevision()).isEqualTo(2);
        assertThat(ack.getError()).contains("site-2").contains("allowed IP");
        assertThat(ack.getConfigHash()).isEqualTo(ConfigHashes.hash(good));
        AgentEvent event = s.nextSignificant().getEvent();
        assertThat(event.getKind()).isEqualTo(AgentEvent.Kind.APPLY_FAILED);
        assertThat(devicePeers()).containsExactly(Keys.toBase64(key(1)) + " [10.99.0.11/32]");
        assertThat(host.applied).hasSize(1);
        assertThat(applier.current().revision()).isEqualTo(1);
        assertThat(state.read(ConfigApplier.LAST_CONFIG).orElseThrow()).isEqualTo(before);
    }

    @Test
    void hostFailureRestoresTheDevice() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        s.send(snapshot(1, config(peer(1, "10.99.0.11/32"))));
        s.nextSignificant();

        host.fail = true;
        s.send(snapshot(2, config(peer(2, "10.99.0.12/32"))));
        Ack ack = s.nextSignificant().getAck();
        assertThat(ack.getSuccess()).isFalse();
        assertThat(ack.getError()).contains("host");
        assertThat(devicePeers()).containsExactly(Keys.toBase64(key(1)) + " [10.99.0.11/32]");
        assertThat(applier.current().revision()).isEqualTo(1);
    }

    @Test
    void reconnectControlReopensAfterTheDelayWithTheAppliedRevision() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        NetworkConfig cfg = config(peer(1, "10.99.0.11/32"));
        s.send(snapshot(4, cfg));
        s.nextSignificant();

        long asked = System.nanoTime();
        s.send(ControllerMessage.newBuilder()
                .setControl(
                        Control.newBuilder().setReconnect(Reconnect.newBuilder().setDelayMs(300)))
                .build());
        FakeController.Stream second = controller.nextStream();
        assertThat(TimeUnit.NANOSECONDS.toMillis(second.openedNanos - asked)).isGreaterThanOrEqualTo(300);
        Hello hello = second.next().getHello();
        assertThat(hello.getAgentId()).isEqualTo("agent-1");
        assertThat(hello.getAppliedRevision()).isEqualTo(4);
        assertThat(hello.getAppliedConfigHash()).isEqualTo(ConfigHashes.hash(cfg));
        assertThat(s.closedByAgent).isTrue();
    }

    @Test
    void reconnectsWithBackoffWhileTheControllerIsDown() throws Exception {
        controller.refuse.set(3);
        long t0 = System.nanoTime();
        start();
        FakeController.Stream s = controller.nextStream();
        assertThat(controller.refused.get()).isEqualTo(3);
        assertThat(s.next().hasHello()).isTrue();
        // Ceilings 50, 100, 200 ms: full jitter keeps the total at or below 350 ms plus scheduling.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5000);
    }

    @Test
    void revokedWithTearDownRemovesPeersForgetsTheConfigAndStops() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        s.send(snapshot(1, config(peer(1, "10.99.0.11/32"))));
        s.nextSignificant();

        s.send(ControllerMessage.newBuilder()
                .setControl(Control.newBuilder()
                        .setRevoked(Revoked.newBuilder().setReason("operator").setTearDown(true)))
                .build());
        thread.join(5000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(client.isRevoked()).isTrue();
        assertThat(device.snapshot().peers()).isEmpty();
        assertThat(state.read(ConfigApplier.LAST_CONFIG)).isEmpty();
        assertThat(controller.streams.poll(300, TimeUnit.MILLISECONDS)).isNull(); // no reconnect
    }

    @Test
    void revokedWithoutTearDownKeepsTheDataPlane() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        s.send(snapshot(1, config(peer(1, "10.99.0.11/32"))));
        s.nextSignificant();
        s.send(ControllerMessage.newBuilder()
                .setControl(Control.newBuilder().setRevoked(Revoked.newBuilder().setReason("operator")))
                .build());
        thread.join(5000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(device.snapshot().peers()).hasSize(1);
    }

    @Test
    void statsRequestSendsAReportAtOnce() throws Exception {
        start();
        FakeController.Stream s = helloStream();
        s.send(ControllerMessage.newBuilder()
                .setControl(Control.newBuilder()
                        .setStatsRequest(StatsRequest.newBuilder().setIntervalMs(100)))
                .build());
        AgentMessage first = s.next();
        assertThat(first.hasStats()).isTrue();
        AgentMessage second = s.next(); // the new 100 ms interval
        assertThat(second.hasStats() || second.hasKeepalive()).isTrue();
    }

    @Test
    void keepalivesFlowAndASilentControllerEndsTheSession() throws Exception {
        start(new SyncSettings(
                Duration.ofMillis(100),
                Duration.ofMinutes(10),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofSeconds(30)));
        FakeController.Stream s = helloStream();
        assertThat(s.next().hasKeepalive()).isTrue();
        // The controller never answers: after three intervals the agent gives up on this stream and opens another.
        FakeController.Stream second = controller.nextStream();
        assertThat(second.next().hasHello()).isTrue();
    }

    @Test
    void failStaticStartAppliesThePersistedConfigAndReportsItOnReconnect() throws Exception {
        NetworkConfig cfg = config(peer(1, "10.99.0.11/32"), peer(2, "10.99.0.12/32"));
        state.write(
                ConfigApplier.LAST_CONFIG,
                Snapshot.newBuilder()
                        .setRevision(12)
                        .setConfig(cfg)
                        .setConfigHash(ConfigHashes.hash(cfg))
                        .build()
                        .toByteArray());
        Snapshot persisted = applier.loadPersisted().orElseThrow();
        applier.applySnapshot(persisted.getRevision(), persisted.getConfig());
        assertThat(device.snapshot().peers()).hasSize(2); // forwarding before any controller contact
        controller.refuse.set(2);
        start();
        client.startedFromPersisted(12);

        FakeController.Stream s = controller.nextStream();
        Hello hello = s.next().getHello();
        assertThat(hello.getAppliedRevision()).isEqualTo(12);
        assertThat(hello.getAppliedConfigHash()).isEqualTo(ConfigHashes.hash(cfg));
        s.send(snapshot(12, cfg)); // the controller has nothing newer
        // The event goes out as soon as the session is live, before the first revision's ack.
        AgentEvent event = s.nextSignificant().getEvent();
        assertThat(event.getKind()).isEqualTo(AgentEvent.Kind.FAIL_STATIC_START);
        assertThat(event.getDetail()).contains("12").contains("2 failed attempt(s)");
        assertThat(s.nextSignificant().getAck().getSuccess()).isTrue();
    }

    @Test
    void handshakeEventsGoUpTheStreamAndWaitBoundedWhileThereIsNone() throws Exception {
        start();
        HandshakeEvents events = new HandshakeEvents(client::send);
        byte[] k = key(3);
        FakeController.Stream s = helloStream();
        s.send(keepalive());
        events.onHandshakeCompleted(k, true, 1_500_000);
        AgentEvent e = s.nextSignificant().getEvent();
        assertThat(e.getKind()).isEqualTo(AgentEvent.Kind.HANDSHAKE_COMPLETED);
        assertThat(e.getPeerPublicKey()).isEqualTo(ByteString.copyFrom(k));

        client.stop();
        thread.join(5000);
        client = null;
        start(); // a new client whose events queue until a session is live: only the newest OUTBOX_LIMIT are kept
        FakeController.Stream s2 = helloStream();
        for (int i = 0; i < SyncClient.OUTBOX_LIMIT + 10; i++) {
            client.send(AgentMessage.newBuilder()
                    .setEvent(AgentEvent.newBuilder()
                            .setKind(AgentEvent.Kind.HANDSHAKE_FAILED)
                            .setDetail("n" + i))
                    .build());
        }
        s2.send(keepalive());
        assertThat(s2.nextSignificant().getEvent().getDetail()).isEqualTo("n10");
    }
}
