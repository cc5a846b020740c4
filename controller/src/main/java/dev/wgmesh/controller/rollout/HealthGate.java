package dev.wgmesh.controller.rollout;

import dev.wgmesh.controller.stats.StatsSample;
import dev.wgmesh.controller.stats.StatsService;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Whether a link is healthy, from what its agent reports (StatsReport → peer_stats): a report taken after the wave
 * was applied shows a live session (a handshake completed no longer ago than REJECT_AFTER_TIME, 180 s, WireGuard
 * whitepaper §6) and an answered latency probe through the tunnel.
 */
@Component
class HealthGate {
    static final double REJECT_AFTER_TIME_S = 180;

    private final StatsService stats;

    HealthGate(StatsService stats) {
        this.stats = stats;
    }

    /** Empty when healthy, otherwise what is missing (for the event history). */
    Optional<String> problem(UUID agentPeer, UUID remotePeer, Instant since) {
        StatsSample s = stats.latest(agentPeer, remotePeer).orElse(null);
        if (s == null || s.ts().isBefore(since)) {
            return Optional.of("no statistics reported since the wave was applied");
        }
        if (s.handshakeAgeS() == null || s.handshakeAgeS() > REJECT_AFTER_TIME_S) {
            return Optional.of("no completed handshake");
        }
        if (s.probeRttMs() == null || (s.probeLoss() != null && s.probeLoss() >= 1.0)) {
            return Optional.of("no answered latency probe");
        }
        return Optional.empty();
    }
}
