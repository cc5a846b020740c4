package dev.wgmesh.controller.stats;

import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.peer.PeerService;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/networks/{n}/peers/{p}/stats}: statistics reported by the agent owning peer {@code p} (its outgoing
 * view of each link); {@code remotePeerId} selects one link, otherwise the aggregate. VIEWER and up.
 */
@RestController
@RequestMapping("/api/v1/networks/{networkId}/peers/{peerId}/stats")
class StatsController {
    private final StatsService stats;
    private final PeerService peers;

    StatsController(StatsService stats, PeerService peers) {
        this.stats = stats;
        this.peers = peers;
    }

    @GetMapping("/latest")
    StatsSample latest(
            @PathVariable UUID networkId,
            @PathVariable UUID peerId,
            @RequestParam(required = false) UUID remotePeerId) {
        peers.get(networkId, peerId); // 404 for a peer outside this network
        return stats.latest(peerId, remotePeerId).orElseThrow(() -> new NotFoundException("stats of peer", peerId));
    }

    @GetMapping
    StatsService.Series range(
            @PathVariable UUID networkId,
            @PathVariable UUID peerId,
            @RequestParam(required = false) UUID remotePeerId,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String resolution) {
        peers.get(networkId, peerId);
        return stats.range(peerId, remotePeerId, instant("from", from), instant("to", to), resolution);
    }

    private static Instant instant(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException ex) {
            throw new InvalidInputException(field, "not an ISO-8601 instant (e.g. 2026-01-01T00:00:00Z)");
        }
    }
}
