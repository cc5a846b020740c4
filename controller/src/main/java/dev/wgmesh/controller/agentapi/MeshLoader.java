package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.agentapi.MeshView.NetRow;
import dev.wgmesh.controller.agentapi.MeshView.PeerRow;
import dev.wgmesh.controller.agentapi.MeshView.SiteRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads network, site and peer rows for {@link MeshView}. Read-only SQL on the other features' tables, by design:
 * network maps are recomputed on every change and must not pay for entity loading (see ARCHITECTURE.md).
 */
@Component
class MeshLoader {
    /**
     * Peer columns ({@code FROM peer p}). {@code enabled} is false for an agent peer whose agent's credential was
     * revoked: a revoked agent is cut off, so it leaves every other agent's map and gets no peers itself.
     */
    private static final String PEER_COLUMNS = "p.id, p.site_id, p.name, p.kind, p.public_key, p.tunnel_ipv4,"
            + " p.tunnel_ipv6, p.endpoint, p.listen_port, p.persistent_keepalive,"
            + " p.enabled AND NOT EXISTS (SELECT 1 FROM agent a WHERE a.peer_id = p.id AND a.revoked_at IS NOT NULL)"
            + " AS enabled, p.expires_at, p.created_at";

    private final JdbcTemplate jdbc;

    MeshLoader(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The whole network, or empty when it no longer exists. */
    Optional<MeshView> load(UUID networkId) {
        Optional<NetRow> net = network(networkId);
        if (net.isEmpty()) {
            return Optional.empty();
        }
        MeshView view = new MeshView(net.get());
        jdbc.query(
                "SELECT id, lan_prefixes FROM site WHERE network_id = ?",
                (ResultSet rs) -> {
                    view.putSite(site(rs));
                },
                networkId);
        jdbc.query(
                "SELECT " + PEER_COLUMNS + " FROM peer p WHERE p.network_id = ?",
                (ResultSet rs) -> {
                    view.putPeer(peer(rs));
                },
                networkId);
        return Optional.of(view);
    }

    Optional<NetRow> network(UUID networkId) {
        return jdbc
                .query(
                        "SELECT id, mtu, persistent_keepalive FROM network WHERE id = ?",
                        (rs, n) -> new NetRow(rs.getObject(1, UUID.class), rs.getInt(2), rs.getInt(3)),
                        networkId)
                .stream()
                .findFirst();
    }

    Optional<SiteRow> site(UUID siteId) {
        return jdbc.query("SELECT id, lan_prefixes FROM site WHERE id = ?", (rs, n) -> site(rs), siteId).stream()
                .findFirst();
    }

    Optional<PeerRow> peer(UUID peerId) {
        return jdbc
                .query("SELECT " + PEER_COLUMNS + " FROM peer p WHERE p.id = ?", (rs, n) -> peer(rs), peerId)
                .stream()
                .findFirst();
    }

    private static SiteRow site(ResultSet rs) throws SQLException {
        String text = rs.getString(2);
        List<String> prefixes = text == null || text.isBlank()
                ? List.of()
                : Arrays.stream(text.split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .sorted()
                        .toList();
        return new SiteRow(rs.getObject(1, UUID.class), prefixes);
    }

    private static PeerRow peer(ResultSet rs) throws SQLException {
        String v4 = rs.getString("tunnel_ipv4");
        String v6 = rs.getString("tunnel_ipv6");
        List<String> hosts = v6 == null ? List.of(v4 + "/32") : List.of(v4 + "/32", v6 + "/128");
        Timestamp expires = rs.getTimestamp("expires_at");
        return new PeerRow(
                rs.getObject("id", UUID.class),
                rs.getObject("site_id", UUID.class),
                rs.getString("name"),
                "AGENT".equals(rs.getString("kind")),
                Base64.getDecoder().decode(rs.getString("public_key")),
                v4,
                hosts,
                rs.getString("endpoint"),
                (Integer) rs.getObject("listen_port"),
                (Integer) rs.getObject("persistent_keepalive"),
                rs.getBoolean("enabled"),
                expires == null ? null : expires.toInstant(),
                rs.getTimestamp("created_at").toInstant());
    }
}
