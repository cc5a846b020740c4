package dev.wgmesh.controller.stats;

import dev.wgmesh.controller.network.NetworkService;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The newest raw sample of every link in a network, in one query, so the overview and the topology need not ask once
 * per agent pair (a mesh of n agents has n(n-1) directed links). Served by {@link LatestLinkStats}.
 *
 * <p>Contract: a link is (reporting agent peer, remote peer); the remote may be an agent or a device. Only samples of
 * the last {@link #RECENT} count: a link whose agent has not reported since is absent (its health is unknown, and the
 * agent shows as offline). At most {@link #MAX_LINKS} links are answered, the most recently reported first;
 * {@code truncated} says when more exist. VIEWER and up; 404 for an unknown network.
 */
@Component
class LatestLinkStatsQuery {
    static final Duration RECENT = Duration.ofMinutes(15);
    static final int MAX_LINKS = 10_000;

    /** One link as its reporting agent last saw it. */
    record Link(UUID agentPeerId, UUID remotePeerId, StatsSample sample) {}

    /** The answer: links reported at or after {@code since}. */
    record Links(UUID networkId, Instant since, boolean truncated, List<Link> links) {}

    // The inner query finds each link's newest timestamp within the window; the join reads that one row back.
    private static final String QUERY = "SELECT s.agent_peer_id, s.remote_peer_id, "
            + prefixed(StatsService.COLUMNS) + " FROM peer_stats s JOIN ("
            + "SELECT agent_peer_id, remote_peer_id, MAX(ts) AS ts FROM peer_stats"
            + " WHERE resolution = 'raw' AND ts >= ?"
            + " AND agent_peer_id IN (SELECT id FROM peer WHERE network_id = ?)"
            + " GROUP BY agent_peer_id, remote_peer_id) m"
            + " ON s.agent_peer_id = m.agent_peer_id AND s.remote_peer_id = m.remote_peer_id AND s.ts = m.ts"
            + " WHERE s.resolution = 'raw' ORDER BY s.ts DESC, s.agent_peer_id, s.remote_peer_id LIMIT ?";

    private final JdbcTemplate jdbc;
    private final NetworkService networks;
    private final Clock clock = Clock.systemUTC();

    LatestLinkStatsQuery(JdbcTemplate jdbc, NetworkService networks) {
        this.jdbc = jdbc;
        this.networks = networks;
    }

    Links latest(UUID networkId) {
        networks.get(networkId); // 404 for an unknown network
        Instant since = clock.instant().minus(RECENT);
        List<Link> links = jdbc.query(
                QUERY,
                (rs, n) -> new Link(
                        rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), StatsService.sampleAt(rs, 3)),
                Timestamp.from(since),
                networkId,
                MAX_LINKS + 1);
        boolean truncated = links.size() > MAX_LINKS;
        return new Links(networkId, since, truncated, truncated ? links.subList(0, MAX_LINKS) : links);
    }

    private static String prefixed(String columns) {
        return "s." + columns.replace(", ", ", s.");
    }
}
