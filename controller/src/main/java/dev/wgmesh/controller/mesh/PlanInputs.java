package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.mesh.MeshMaps.Node;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The network as the planner sees it: active AGENT peers, sites' LAN prefixes, site routers (the oldest active agent
 * of a site, as the fan-out picks it) and enrolled agents' hashes. Read-only SQL on other features' tables, as the
 * agent fan-out does (one plan reads a whole network; entity loading would dominate).
 */
@Component
class PlanInputs {
    private final JdbcTemplate jdbc;

    PlanInputs(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** An enrolled agent's identity and hashes. */
    record AgentRow(UUID agentId, UUID peerId, String desiredHash, String appliedHash, boolean online) {}

    /** One network, read in one go. */
    static final class Network implements MeshMaps.Nodes {
        final List<Node> agents = new ArrayList<>();
        final Map<UUID, List<Node>> bySite = new HashMap<>();
        final Map<UUID, Node> routers = new HashMap<>();
        final Map<UUID, List<String>> lan = new HashMap<>();
        final Map<UUID, AgentRow> enrolled = new HashMap<>();

        @Override
        public Optional<Node> router(UUID siteId) {
            return Optional.ofNullable(siteId == null ? null : routers.get(siteId));
        }

        @Override
        public List<Node> agents(UUID siteId) {
            return bySite.getOrDefault(siteId, List.of());
        }

        @Override
        public List<String> siteLan(UUID siteId) {
            return lan.getOrDefault(siteId, List.of());
        }
    }

    Network load(UUID networkId) {
        Network n = new Network();
        Integer netKeepalive =
                jdbc.queryForObject("SELECT persistent_keepalive FROM network WHERE id = ?", Integer.class, networkId);
        jdbc.query(
                "SELECT id, lan_prefixes FROM site WHERE network_id = ?",
                (ResultSet rs) -> {
                    String text = rs.getString(2);
                    n.lan.put(
                            rs.getObject(1, UUID.class),
                            text == null || text.isBlank()
                                    ? List.of()
                                    : Arrays.stream(text.split(","))
                                            .map(String::strip)
                                            .filter(s -> !s.isEmpty())
                                            .sorted()
                                            .toList());
                },
                networkId);
        Instant now = Instant.now();
        Map<UUID, Instant> created = new HashMap<>();
        jdbc.query(
                "SELECT id, site_id, name, public_key, tunnel_ipv4, tunnel_ipv6, endpoint, persistent_keepalive,"
                        + " enabled, expires_at, created_at FROM peer WHERE network_id = ? AND kind = 'AGENT'",
                (ResultSet rs) -> {
                    Timestamp expires = rs.getTimestamp("expires_at");
                    if (!rs.getBoolean("enabled")
                            || (expires != null && !expires.toInstant().isAfter(now))) {
                        return;
                    }
                    String v4 = rs.getString("tunnel_ipv4");
                    String v6 = rs.getString("tunnel_ipv6");
                    Integer ka = (Integer) rs.getObject("persistent_keepalive");
                    Node node = new Node(
                            rs.getObject("id", UUID.class),
                            rs.getObject("site_id", UUID.class),
                            rs.getString("name"),
                            Base64.getDecoder().decode(rs.getString("public_key")),
                            v4,
                            v6 == null ? List.of(v4 + "/32") : List.of(v4 + "/32", v6 + "/128"),
                            rs.getString("endpoint"),
                            ka != null ? ka : netKeepalive == null ? 0 : netKeepalive);
                    n.agents.add(node);
                    created.put(node.peerId(), rs.getTimestamp("created_at").toInstant());
                    if (node.siteId() != null) {
                        n.bySite
                                .computeIfAbsent(node.siteId(), k -> new ArrayList<>())
                                .add(node);
                    }
                },
                networkId);
        Comparator<Node> oldest =
                Comparator.comparing((Node x) -> created.get(x.peerId())).thenComparing(Node::peerId);
        n.bySite.forEach(
                (site, nodes) -> n.routers.put(site, nodes.stream().min(oldest).orElseThrow()));
        n.agents.sort(Comparator.comparing(Node::name).thenComparing(Node::peerId));
        jdbc.query(
                "SELECT id, peer_id, desired_config_hash, applied_config_hash, online FROM agent WHERE network_id = ?"
                        + " AND revoked_at IS NULL",
                (ResultSet rs) -> {
                    AgentRow a = new AgentRow(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getBoolean(5));
                    n.enrolled.put(a.peerId(), a);
                },
                networkId);
        return n;
    }
}
