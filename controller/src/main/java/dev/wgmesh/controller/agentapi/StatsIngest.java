package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.stats.StatsSample;
import dev.wgmesh.controller.stats.StatsService;
import dev.wgmesh.controller.stats.StatsService.LinkSample;
import dev.wgmesh.proto.v1.PeerStats;
import dev.wgmesh.proto.v1.StatsReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Turns an agent's {@code StatsReport} into link samples: names each link by the remote peer's id (unknown keys are
 * skipped), derives byte rates from the previous report of the same link, converts microseconds to milliseconds,
 * stores the samples and publishes them as SSE {@code stats} events. A malformed report is refused whole.
 */
@Component
class StatsIngest {
    static final int MAX_PEERS = 10_000;
    static final Duration MAX_CLOCK_SKEW = Duration.ofDays(1);

    private record Previous(long tsMs, long rx, long tx) {}

    private final StatsService stats;
    private final AgentHub hub;
    private final AgentEvents events;
    private final Map<String, Previous> previous = new ConcurrentHashMap<>();

    StatsIngest(StatsService stats, AgentHub hub, AgentEvents events) {
        this.stats = stats;
        this.hub = hub;
        this.events = events;
    }

    /** @throws IllegalArgumentException for a malformed report (nothing stored) */
    void ingest(AgentSession s, StatsReport report) {
        Instant now = Instant.now();
        long ts = report.getTimeUnixMs();
        if (ts <= 0 || Math.abs(ts - now.toEpochMilli()) > MAX_CLOCK_SKEW.toMillis()) {
            throw new IllegalArgumentException("time_unix_ms missing or more than a day off the controller's clock");
        }
        if (report.getPeersCount() > MAX_PEERS) {
            throw new IllegalArgumentException("more than " + MAX_PEERS + " peers");
        }
        for (PeerStats p : report.getPeersList()) {
            if (p.getPublicKey().size() != 32) {
                throw new IllegalArgumentException("peers.public_key must be 32 bytes");
            }
            if (!(p.getProbeLoss() >= 0 && p.getProbeLoss() <= 1)) {
                throw new IllegalArgumentException("peers.probe_loss must be within 0..1");
            }
        }
        MeshView view = hub.view(s.networkId).orElse(null);
        if (view == null) {
            return; // session not attached yet
        }
        List<LinkSample> samples = new ArrayList<>(report.getPeersCount());
        for (PeerStats p : report.getPeersList()) {
            UUID remote = view.peerIdByKey(p.getPublicKey()).orElse(null);
            if (remote == null) {
                continue;
            }
            samples.add(new LinkSample(s.peerId, remote, sample(s.peerId, remote, ts, p)));
        }
        stats.record(samples);
        if (events.hasSubscribers(s.networkId)) {
            for (LinkSample l : samples) {
                events.stats(s.networkId, l.agentPeerId(), l.remotePeerId(), l.sample());
            }
        }
    }

    private StatsSample sample(UUID agent, UUID remote, long ts, PeerStats p) {
        Previous prev = previous.put(agent + "/" + remote, new Previous(ts, p.getRxBytes(), p.getTxBytes()));
        Double rxBps = null;
        Double txBps = null;
        if (prev != null && ts > prev.tsMs() && p.getRxBytes() >= prev.rx() && p.getTxBytes() >= prev.tx()) {
            double seconds = (ts - prev.tsMs()) / 1000.0;
            rxBps = (p.getRxBytes() - prev.rx()) / seconds;
            txBps = (p.getTxBytes() - prev.tx()) / seconds;
        }
        boolean probing = p.getProbeRttUs() > 0 || p.getProbeLoss() > 0;
        return new StatsSample(
                Instant.ofEpochMilli(ts),
                p.getRxBytes(),
                p.getTxBytes(),
                rxBps,
                txBps,
                p.getLastHandshakeUnixMs() > 0 ? Math.max(0, ts - p.getLastHandshakeUnixMs()) / 1000.0 : null,
                micros(p.getHandshakeRttUs()),
                micros(p.getProbeRttUs()),
                probing ? (double) p.getProbeLoss() : null,
                (long) p.getQueuePackets(),
                p.getQueueBytes(),
                micros(p.getSojournP50Us()),
                micros(p.getSojournP99Us()),
                micros(p.getSojournMaxUs()),
                p.hasDrops() ? p.getDrops().getOverflow() : null,
                p.hasDrops() ? p.getDrops().getCodel() : null,
                p.hasDrops() ? p.getDrops().getNoRoute() : null,
                p.hasDrops() ? p.getDrops().getReplay() : null,
                p.hasDrops() ? p.getDrops().getAuth() : null,
                p.getEcnMarks());
    }

    private static Double micros(int us) {
        return us == 0 ? null : Integer.toUnsignedLong(us) / 1000.0;
    }
}
