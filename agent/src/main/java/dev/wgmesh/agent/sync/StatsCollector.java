package dev.wgmesh.agent.sync;

import com.google.protobuf.ByteString;
import dev.wgmesh.agent.metrics.StatsSource;
import dev.wgmesh.agent.probe.LatencyProber;
import dev.wgmesh.agent.probe.ProbeFigures;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.proto.v1.InterfaceStats;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.PeerStats;
import dev.wgmesh.proto.v1.StatsReport;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * Gathers the agent's figures from the device (bytes, last handshake, endpoint), the handshake round trips
 * ({@link HandshakeEvents}), the latency prober (probe RTT and
 * loss) and the data plane's queues ({@link QueueStatsSource}: depth, sojourn, drops by reason, workers), both as
 * the {@code StatsReport} sent to the controller and as the {@link StatsSource} of the Prometheus endpoint.
 * Throughput is not sent: the controller derives it from the byte counters of consecutive reports.
 *
 * <p>Thread-safety: reads only consistent snapshots (device snapshot, applier's volatile state); callable from the
 * sync thread and the metrics server thread at once.
 */
public final class StatsCollector implements StatsSource {
    private final String interfaceName;
    private final DeviceConfigurator device;
    private final ConfigApplier applier;
    private final Optional<LatencyProber> prober;
    private final QueueStatsSource queues;
    private final BooleanSupplier connected;
    private final ToLongFunction<ByteString> handshakeRttMicros;

    public StatsCollector(
            String interfaceName,
            DeviceConfigurator device,
            ConfigApplier applier,
            Optional<LatencyProber> prober,
            QueueStatsSource queues,
            BooleanSupplier connected,
            ToLongFunction<ByteString> handshakeRttMicros) {
        this.handshakeRttMicros = handshakeRttMicros;
        this.interfaceName = interfaceName;
        this.device = device;
        this.applier = applier;
        this.prober = prober;
        this.queues = queues;
        this.connected = connected;
    }

    /** The report for the controller. */
    public StatsReport report() {
        DeviceConfig snapshot = device.snapshot();
        Map<ByteString, QueueStatsSource.PeerQueue> queued = queues.peers();
        StatsReport.Builder out = StatsReport.newBuilder().setTimeUnixMs(System.currentTimeMillis());
        long rx = 0;
        long tx = 0;
        for (DeviceConfig.PeerConfig p : snapshot.peers()) {
            ByteString key = ByteString.copyFrom(p.publicKey());
            ProbeFigures f = probe(p.publicKey());
            QueueStatsSource.PeerQueue q = queued.getOrDefault(key, QueueStatsSource.PeerQueue.NONE);
            out.addPeers(PeerStats.newBuilder()
                    .setPublicKey(key)
                    .setRxBytes(p.rxBytes())
                    .setTxBytes(p.txBytes())
                    .setLastHandshakeUnixMs(p.lastHandshakeEpochNanos() / 1_000_000)
                    .setHandshakeRttUs(clampInt(handshakeRttMicros.applyAsLong(key)))
                    .setProbeRttUs(clampInt(f.lastRttMicros()))
                    .setProbeLoss(f.loss())
                    .setQueuePackets(clampInt(q.packets()))
                    .setQueueBytes(q.bytes())
                    .setSojournP50Us(clampInt(q.sojournP50Micros()))
                    .setSojournP99Us(clampInt(q.sojournP99Micros()))
                    .setSojournMaxUs(clampInt(q.sojournMaxMicros()))
                    .setDrops(q.drops())
                    .setEcnMarks(q.ecnMarks())
                    .setEndpoint(p.endpoint() == null ? "" : p.endpoint()));
            rx += p.rxBytes();
            tx += p.txBytes();
        }
        out.setInterfaceStats(InterfaceStats.newBuilder()
                .setName(interfaceName)
                .setRxBytes(rx)
                .setTxBytes(tx)
                .setMtu(applier.current().config().getInterfaceConfig().getMtu())
                .setDrops(queues.deviceDrops()));
        out.addAllWorkers(queues.workers());
        return out.build();
    }

    private static int clampInt(long v) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, v));
    }

    @Override
    public List<PeerSample> peers() {
        Map<ByteString, String> names = new HashMap<>();
        for (PeerConfig p : applier.current().config().getPeersList()) {
            names.put(p.getPublicKey(), p.getName());
        }
        Map<ByteString, QueueStatsSource.PeerQueue> queued = queues.peers();
        List<PeerSample> out = new ArrayList<>();
        for (DeviceConfig.PeerConfig p : device.snapshot().peers()) {
            ProbeFigures f = probe(p.publicKey());
            QueueStatsSource.PeerQueue q =
                    queued.getOrDefault(ByteString.copyFrom(p.publicKey()), QueueStatsSource.PeerQueue.NONE);
            var d = q.drops();
            out.add(new PeerSample(
                    Base64.getEncoder().encodeToString(p.publicKey()),
                    names.get(ByteString.copyFrom(p.publicKey())),
                    p.rxBytes(),
                    p.txBytes(),
                    p.lastHandshakeEpochNanos() / 1_000_000,
                    f.lastRttMicros(),
                    f.loss(),
                    q.packets(),
                    q.bytes(),
                    q.sojournP50Micros(),
                    q.sojournP99Micros(),
                    new Drops(
                            d.getOverflow(), d.getCodel(), d.getNoRoute(), d.getReplay(), d.getAuth(), d.getOther())));
        }
        return out;
    }

    @Override
    public AgentSample agent() {
        return new AgentSample(applier.current().revision(), connected.getAsBoolean());
    }

    private ProbeFigures probe(byte[] publicKey) {
        if (prober.isEmpty()) {
            return new ProbeFigures(0, 0, 0, 0, 0, 0);
        }
        return prober.get()
                .figures(Base64.getEncoder().encodeToString(publicKey))
                .orElse(new ProbeFigures(0, 0, 0, 0, 0, 0));
    }
}
