package dev.wgmesh.controller.peer;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The peer list in plain SQL: one page query, one tag query for the whole page, and a count only when the page does
 * not tell the total by itself (a last or only page). Profiling the list endpoint showed Hibernate's criteria
 * translation (redone for every request, page and count) and entity hydration as most of its CPU; this reads the
 * columns straight into {@link Peer}s. The filters mean exactly what {@link PeerFilter} documents, and V20/V21
 * index them.
 */
@Component
class PeerListQuery {
    private static final String COLUMNS = "p.id, p.network_id, p.site_id, p.name, p.kind, p.public_key,"
            + " p.private_key_sealed IS NOT NULL, p.tunnel_ipv4, p.tunnel_ipv6, p.endpoint, p.listen_port,"
            + " p.persistent_keepalive, p.enabled, p.expires_at, p.version, p.created_at, p.updated_at";
    /** API sort property -> column; the controller whitelists the properties. */
    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "name", "p.name",
            "kind", "p.kind",
            "createdAt", "p.created_at",
            "updatedAt", "p.updated_at",
            "expiresAt", "p.expires_at");

    /** One page and the total number of matches. */
    record Result(List<Peer> items, long total) {}

    private final JdbcTemplate jdbc;

    PeerListQuery(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Result find(UUID networkId, PeerFilter f, Pageable pageable) {
        StringBuilder where = new StringBuilder(" FROM peer p WHERE p.network_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(networkId);
        if (f.nameContains() != null && !f.nameContains().isBlank()) {
            where.append(" AND lower(p.name) LIKE ? ESCAPE '\\'");
            args.add("%" + PeerFilter.escapeLike(f.nameContains().toLowerCase(Locale.ROOT)) + "%");
        }
        if (f.tag() != null && !f.tag().isBlank()) {
            where.append(" AND EXISTS (SELECT 1 FROM peer_tag t WHERE t.peer_id = p.id AND t.tag = ?)");
            args.add(f.tag());
        }
        if (f.kind() != null) {
            where.append(" AND p.kind = ?");
            args.add(f.kind().name());
        }
        if (f.enabled() != null) {
            where.append(" AND p.enabled = ?");
            args.add(f.enabled());
        }
        if (f.siteId() != null) {
            where.append(" AND p.site_id = ?");
            args.add(f.siteId());
        }
        String order = orderBy(pageable);
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS);
        List<Object> pageArgs = new ArrayList<>(args);
        if (pageable.isPaged()) {
            // The page's ids first, then their rows: skipping OFFSET matches then costs an index-only scan of
            // (network_id, name, id) (V42) or, before a vacuum, a sort of narrow rows, not of whole peers.
            sql.append(" FROM peer p WHERE p.id IN (SELECT p.id")
                    .append(where)
                    .append(order)
                    .append(" LIMIT ? OFFSET ?)")
                    .append(order);
            pageArgs.add(pageable.getPageSize());
            pageArgs.add(pageable.getOffset());
        } else {
            sql.append(where).append(order);
        }
        List<Peer> rows = jdbc.query(sql.toString(), PeerListQuery::row, pageArgs.toArray());
        long offset = pageable.isPaged() ? pageable.getOffset() : 0;
        long total;
        if (pageable.isUnpaged() || (rows.size() < pageable.getPageSize() && (!rows.isEmpty() || offset == 0))) {
            total = offset + rows.size(); // the page itself shows where the matches end
        } else {
            Long n = jdbc.queryForObject("SELECT count(*)" + where, Long.class, args.toArray());
            total = n == null ? 0 : n;
        }
        return new Result(withTags(rows), total);
    }

    private static String orderBy(Pageable pageable) {
        StringBuilder s = new StringBuilder(" ORDER BY ");
        for (Sort.Order o : pageable.getSort()) {
            String column = SORT_COLUMNS.get(o.getProperty());
            if (column == null) {
                throw new IllegalArgumentException("unsupported sort " + o.getProperty());
            }
            s.append(column).append(o.isAscending() ? " ASC" : " DESC");
            if (column.equals("p.name")) {
                // Names are unique in a network: already a total order, which the name indexes deliver as is
                // (a tie-breaker column would force a sort of every match).
                return s.toString();
            }
            s.append(", ");
        }
        return s.append("p.id").toString(); // a total order, so pages neither skip nor repeat peers
    }

    private List<Peer> withTags(List<Peer> rows) {
        if (rows.isEmpty()) {
            return rows;
        }
        Map<UUID, List<String>> tags = new HashMap<>();
        String in = String.join(", ", Collections.nCopies(rows.size(), "?"));
        jdbc.query(
                "SELECT peer_id, tag FROM peer_tag WHERE peer_id IN (" + in + ")",
                rs -> {
                    tags.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(rs.getString(2));
                },
                rows.stream().map(Peer::id).toArray());
        List<Peer> out = new ArrayList<>(rows.size());
        for (Peer p : rows) {
            List<String> t = tags.getOrDefault(p.id(), List.of());
            out.add(new Peer(
                    p.id(),
                    p.networkId(),
                    p.siteId(),
                    p.name(),
                    p.kind(),
                    p.publicKey(),
                    p.controllerHoldsPrivateKey(),
                    p.tunnelIpv4(),
                    p.tunnelIpv6(),
                    p.endpoint(),
                    p.listenPort(),
                    p.persistentKeepalive(),
                    p.enabled(),
                    p.expiresAt(),
                    t.stream().sorted().toList(),
                    p.version(),
                    p.createdAt(),
                    p.updatedAt()));
        }
        return out;
    }

    private static Peer row(ResultSet rs, int i) throws SQLException {
        return new Peer(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                rs.getObject(3, UUID.class),
                rs.getString(4),
                PeerKind.valueOf(rs.getString(5)),
                rs.getString(6),
                rs.getBoolean(7),
                rs.getString(8),
                rs.getString(9),
                rs.getString(10),
                (Integer) rs.getObject(11, Integer.class),
                (Integer) rs.getObject(12, Integer.class),
                rs.getBoolean(13),
                instant(rs, 14),
                List.of(),
                rs.getLong(15),
                instant(rs, 16),
                instant(rs, 17));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
