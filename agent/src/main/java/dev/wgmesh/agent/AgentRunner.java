package dev.wgmesh.agent;

import dev.wgmesh.agent.enrol.AgentIdentity;
import dev.wgmesh.agent.enrol.Enroller;
import dev.wgmesh.agent.enrol.EnrolmentException;
import dev.wgmesh.agent.enrol.JoinToken;
import dev.wgmesh.agent.enrol.TlsCredentials;
import dev.wgmesh.agent.enrol.WireGuardKey;
import dev.wgmesh.agent.host.HostNetwork;
import dev.wgmesh.agent.host.ProcessCommand;
import dev.wgmesh.agent.metrics.AgentMetrics;
import dev.wgmesh.agent.probe.LatencyProber;
import dev.wgmesh.agent.probe.ProbeTargets;
import dev.wgmesh.agent.sync.ApplyException;
import dev.wgmesh.agent.sync.ConfigApplier;
import dev.wgmesh.agent.sync.ControllerChannel;
import dev.wgmesh.agent.sync.DeviceQueueStats;
import dev.wgmesh.agent.sync.HandshakeEvents;
import dev.wgmesh.agent.sync.HostApplier;
import dev.wgmesh.agent.sync.QueueStatsSource;
import dev.wgmesh.agent.sync.StatsCollector;
import dev.wgmesh.agent.sync.SyncClient;
import dev.wgmesh.agent.sync.SyncSettings;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.daemon.DaemonIo;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.time.SystemScheduler;
import dev.wgmesh.proto.v1.Hello;
import dev.wgmesh.proto.v1.HostFacts;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.Snapshot;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code wgmesh-agent run}: wires the agent together and runs it until stopped.
 *
 * <ol>
 *   <li>open the state dir; enrol when there is no identity yet (join token; retried while the controller is
 *       unreachable, refused for a bad key or CA pin);
 *   <li>create the tunnel interface and UDP transport as the drop-in daemon does ({@link DaemonIo}), start the
 *       userspace {@link Device} with the
 *       agent's private key;
 *   <li>fail-static: apply {@code last-config.pb} when present, so tunnels come up before (or without) the
 *       controller;
 *   <li>run the {@link SyncClient} over mutual TLS until stopped or revoked.
 * </ol>
 */
public final class AgentRunner implements AutoCloseable {
    private static final Logger LOG = System.getLogger(AgentRunner.class.getName());

    private final AgentOptions options;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private volatile SyncClient sync;

    public AgentRunner(AgentOptions options) {
        this.options = options;
    }

    /** Runs until {@link #close()} (shutdown hook) or revocation. @return the process exit code */
    public int run() throws IOException, InterruptedException {
        StateDir state = StateDir.open(options.stateDir());
        AgentIdentity identity;
        try {
            identity = identity(state);
        } catch (EnrolmentException ex) {
            System.err.println("wgmesh-agent: " + ex.getMessage());
            return 1;
        }
        TlsCredentials tls = TlsCredentials.load(state)
                .orElseThrow(() -> new IOException("identity.json exists but the TLS credential files are missing; "
                        + "remove the state dir and enrol again"));
        byte[] privateKey = WireGuardKey.loadOrCreate(state);
        byte[] publicKey = WireGuardKey.publicKey(privateKey);
        LOG.log(
                Level.INFO,
                "agent {0} (network {1}) starting on {2}",
                identity.agentId(),
                identity.networkId(),
                options.interfaceName());

        SystemScheduler scheduler = new SystemScheduler("wg-" + options.interfaceName() + "-timers");
        resources.add(scheduler::close);
        // The drop-in daemon's I/O: TUN offloads and rings, UDP GSO/GRO, per-flow queues when configured.
        DaemonIo io = DaemonIo.open(options.interfaceName(), System.getenv());
        Device device;
        try {
            device = new Device(io.tun(), io.udp(), scheduler);
        } catch (RuntimeException e) {
            io.close();
            throw e;
        }
        resources.add(0, device);
        try {
            device.apply(new ConfigChange(privateKey, options.listenPort(), null, false, List.of()));
        } catch (ConfigException ex) {
            throw new IOException("cannot configure the device: " + ex.getMessage(), ex);
        } finally {
            java.util.Arrays.fill(privateKey, (byte) 0);
        }
        device.start();

        AtomicReference<SyncClient> syncRef = new AtomicReference<>();
        HandshakeEvents handshakes = new HandshakeEvents(m -> {
            SyncClient c = syncRef.get();
            if (c != null) {
                c.send(m);
            }
        });
        device.setHandshakeListener(handshakes);
        Optional<LatencyProber> prober = startProber();
        HostNetwork host =
                new HostNetwork(options.interfaceName(), ProcessCommand.onHost(Duration.ofSeconds(10)), state);
        ConfigApplier applier = new ConfigApplier(device, HostApplier.of(host), state, peers -> {
            handshakes.retain(peers.stream().map(PeerConfig::getPublicKey).toList());
            prober.ifPresent(p -> ProbeTargets.apply(p, ProbeTargets.of(peers, options.probePort())));
        });
        AtomicBoolean connected = new AtomicBoolean();
        QueueStatsSource queues = new DeviceQueueStats(device);
        StatsCollector stats = new StatsCollector(
                options.interfaceName(),
                device,
                applier,
                prober,
                queues,
                connected::get,
                handshakes::handshakeRttMicros);
        AgentMetrics.fromOptions(options.metricsListen(), stats).ifPresent(m -> resources.add(0, m));

        ManagedChannel channel = ControllerChannel.open(options.controller(), tls.channelCredentials());
        resources.add(0, () -> channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS));
        SyncClient client = new SyncClient(
                channel,
                () -> Hello.newBuilder()
                        .setAgentId(identity.agentId())
                        .setAgentVersion(AgentMain.VERSION)
                        .addAllCapabilities(SyncClient.capabilities(prober.isPresent(), queues.available()))
                        .setWireguardPublicKey(com.google.protobuf.ByteString.copyFrom(publicKey))
                        .setListenPort(device.snapshot().listenPort())
                        .build(),
                applier,
                stats::report,
                SyncSettings.defaults(options.statsInterval()),
                new Random(),
                connected::set);
        syncRef.set(client);
        failStatic(applier, client);
        sync = client;
        client.run();
        if (client.isRevoked()) {
            LOG.log(
                    Level.ERROR,
                    "this agent was revoked; not syncing any more (data plane kept as the controller said)");
            new java.util.concurrent.CountDownLatch(1).await(); // keep running until the process is stopped
        }
        return 0;
    }

    private AgentIdentity identity(StateDir state) throws IOException, EnrolmentException, InterruptedException {
        Optional<AgentIdentity> existing = AgentIdentity.load(state);
        if (existing.isPresent()) {
            return existing.get();
        }
        JoinToken token;
        try {
            token = JoinToken.parse(options.enrolKey(), options.caFingerprint());
        } catch (IllegalArgumentException ex) {
            throw new EnrolmentException(ex.getMessage());
        }
        Enroller enroller = Enroller.forTarget(options.controller());
        Backoff backoff = new Backoff(Duration.ofMillis(800), Duration.ofSeconds(10), new Random());
        while (true) {
            try {
                AgentIdentity id = enroller.enrol(options.controller(), token, state, hostFacts());
                LOG.log(Level.INFO, "enrolled as agent {0} in network {1}", id.agentId(), id.networkId());
                return id;
            } catch (EnrolmentException ex) {
                if (!ex.retryable()) {
                    throw ex;
                }
                Duration d = backoff.next();
                LOG.log(Level.WARNING, "{0}; retrying in {1} ms", ex.getMessage(), d.toMillis());
                Thread.sleep(d.toMillis());
            }
        }
    }

    private void failStatic(ConfigApplier applier, SyncClient client) {
        Optional<Snapshot> persisted = applier.loadPersisted();
        if (persisted.isEmpty()) {
            return;
        }
        Snapshot s = persisted.get();
        try {
            applier.applySnapshot(s.getRevision(), s.getConfig());
            client.startedFromPersisted(s.getRevision());
            LOG.log(
                    Level.INFO,
                    "fail-static: running persisted revision {0} until the controller answers",
                    s.getRevision());
        } catch (ApplyException ex) {
            LOG.log(Level.ERROR, "persisted configuration could not be applied: {0}", ex.getMessage());
        }
    }

    private Optional<LatencyProber> startProber() {
        try {
            LatencyProber p = new LatencyProber(
                    new InetSocketAddress(options.probePort()),
                    LatencyProber.Settings.forReportInterval(options.statsInterval()));
            resources.add(0, p);
            return Optional.of(p);
        } catch (IOException | IllegalArgumentException ex) {
            LOG.log(
                    Level.WARNING,
                    "latency probes disabled: cannot bind UDP port {0}: {1}",
                    options.probePort(),
                    ex.getMessage());
            return Optional.empty();
        }
    }

    private HostFacts hostFacts() {
        HostFacts.Builder b = HostFacts.newBuilder()
                .setAgentVersion(AgentMain.VERSION)
                .setOs(System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .setListenPort(options.listenPort());
        try {
            b.setHostname(InetAddress.getLocalHost().getHostName());
        } catch (IOException ex) {
            b.setHostname("unknown");
        }
        try {
            for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
                if (ni.isUp() && !ni.isLoopback() && !ni.getName().equals(options.interfaceName())) {
                    ni.inetAddresses()
                            .filter(a -> !a.isLinkLocalAddress())
                            .forEach(a ->
                                    b.addInterfaceAddresses(a.getHostAddress().replaceAll("%.*$", "")));
                }
            }
        } catch (IOException ex) {
            LOG.log(Level.DEBUG, "cannot list interfaces: {0}", ex.getMessage());
        }
        return b.build();
    }

    /** Stops syncing and releases the data plane (the TUN interface disappears with it). */
    @Override
    public synchronized void close() {
        SyncClient s = sync;
        if (s != null) {
            s.stop();
        }
        for (AutoCloseable r : List.copyOf(resources)) {
            try {
                r.close();
            } catch (Exception ex) {
                LOG.log(Level.DEBUG, "close failed: {0}", ex.toString());
            }
        }
        resources.clear();
    }
}
