package dev.wgmesh.controller.stats;

import java.time.Duration;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/networks/{n}/stats/latest}: every link's newest recent sample ({@link LatestLinkStatsQuery} says
 * which samples count). VIEWER and up; 404 for an unknown network.
 */
@RestController
@RequestMapping("/api/v1/networks/{networkId}/stats/latest")
class LatestLinkStats {
    /** How far back a sample still counts as the link's latest. */
    static final Duration RECENT = LatestLinkStatsQuery.RECENT;

    private final LatestLinkStatsQuery query;

    LatestLinkStats(LatestLinkStatsQuery query) {
        this.query = query;
    }

    @GetMapping
    LatestLinkStatsQuery.Links latest(@PathVariable UUID networkId) {
        return query.latest(networkId);
    }
}
