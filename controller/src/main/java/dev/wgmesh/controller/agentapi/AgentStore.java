package dev.wgmesh.controller.agentapi;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Table {@code agent}: identities, credentials (hashes only), presence with session fencing, revisions. */
@Component
class AgentStore {
    private static final String COLUMNS = "a.id, a.peer_id, a.network_id, a.site_id, p.name, a.version, a.online,"
            + " a.last_seen_at, a.connected_to, a.desired_revision, a.applied_revision, a.desired_config_hash,"
            + " a.applied_config_hash, a.revoked_at";

    private final JdbcTemplate jdbc;

    AgentStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What Sync needs to authenticate a stream. */
    record Credential(UUID id, UUID peerId, UUID networkId, String credentialSha256, Instant revokedAt) {}

    void insert(
            UUID id,
            UUID peerId,
            UUID networkId,
            UUID siteId,
            UUID keyId,
            String publicKey,
            String credentialSha256,
            String hostname,
            String version) {
        jdbc.update(
                "INSERT INTO agent (id, peer_id, network_id, site_id, enrolment_key_id, enrolled_public_key,"
                        + " credential_sha256, hostname, version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                peerId,
                networkId,
                siteId,
                keyId,
                publicKey,
                credentialSha256,
                hostname,
                version,
                Timestamp.from(Instant.now()));
    }

    /** The agent a previous enrolment with this key and public key created (idempotent retry). */
    Optional<Agent> findEnrolled(UUID keyId, String publicKey) {
        return query(" WHERE a.enrolment_key_id = ? AND a.enrolled_public_key = ?", keyId, publicKey).stream()
                .findFirst();
    }

    void replaceCredential(UUID id, String credentialSha256) {
        jdbc.update("UPDATE agent SET credential_sha256 = ? WHERE id = ?", credentialSha256, id);
    }

    Optional<Credential> credential(UUID id) {
        return jdbc
                .query(
                        "SELECT id, peer_id, network_id, credential_sha256, revoked_at FROM agent WHERE id = ?",
                        (rs, n) -> new Credential(
                                rs.getObject(1, UUID.class),
                                rs.getObject(2, UUID.class),
                                rs.getObject(3, UUID.class),
                                rs.getString(4),
                                instant(rs, 5)),
                        id)
                .stream()
                .findFirst();
    }

    Optional<Agent> find(UUID id) {
        return query(" WHERE a.id = ?", id).stream().findFirst();
    }

    /** The agents with these ids that exist (any order); at most {@link #MANY} ids per call. */
    List<Agent> findMany(List<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        if (ids.size() > MANY) {
            throw new IllegalArgumentException("at most " + MANY + " ids");
        }
        return query(" WHERE a.id IN (" + "?,".repeat(ids.size() - 1) + "?)", ids.toArray());
    }

    static final int MANY = 500;

    /** One page, ordered by creation; filters may be null. */
    List<Agent> list(UUID networkId, Boolean online, Boolean drift, int limit, long offset) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        filter(where, args, networkId, online, drift);
        where.append(" ORDER BY a.created_at, a.id LIMIT ? OFFSET ?");
        args.add(limit);
        args.add(offset);
        return query(where.toString(), args.toArray());
    }

    long count(UUID networkId, Boolean online, Boolean drift) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        filter(where, args, networkId, online, drift);
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM agent a" + where, Long.class, args.toArray());
        return n == null ? 0 : n;
    }

    private static void filter(StringBuilder where, List<Object> args, UUID networkId, Boolean online, Boolean drift) {
        if (networkId != null) {
            where.append(" AND a.network_id = ?");
            args.add(networkId);
        }
        if (online != null) {
            where.append(" AND a.online = ?");
            args.add(online);
        }
        if (drift != null) {
            where.append(drift ? " AND " : " AND NOT ").append(DRIFT);
        }
    }

    private static final String DRIFT = "(a.applied_config_hash IS NOT NULL AND a.desired_config_hash IS NOT NULL"
            + " AND a.applied_config_hash <> a.desired_config_hash)";

    private List<Agent> query(String where, Object... args) {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM agent a JOIN peer p ON p.id = a.peer_id" + where, this::map, args);
    }

    private Agent map(ResultSet rs, int n) throws SQLException {
        String desired = rs.getString("desired_config_hash");
        String applied = rs.getString("applied_config_hash");
        return new Agent(
                rs.getObject("id", UUID.class),
                rs.getObject("peer_id", UUID.class),
                rs.getObject("network_id", UUID.class),
                rs.getObject("site_id", UUID.class),
                rs.getString("name"),
                rs.getString("version"),
                rs.getBoolean("online"),
                instant(rs, "last_seen_at"),
                rs.getString("connected_to"),
                rs.getLong("desired_revision"),
                rs.getLong("applied_revision"),
                desired,
                applied,
                desired != null && applied != null && !desired.equals(applied),
                instant(rs, "revoked_at"));
    }

    /** Marks the agent online for this session (the newest session wins; see {@link #markOffline}). */
    void markOnline(UUID id, UUID sessionId, Instant startedAt, String replica, String version) {
        jdbc.update(
                "UPDATE agent SET online = TRUE, session_id = ?, session_started_at = ?, connected_to = ?,"
                        + " last_seen_at = ?, version = ? WHERE id = ?",
                sessionId,
                Timestamp.from(startedAt),
                replica,
                Timestamp.from(startedAt),
                version,
                id);
    }

    /**
     * Session fencing: only the session that is still recorded as current can mark the agent offline, so a stale
     * disconnect (superseded stream, slow replica) never hides a live agent.
     *
     * @return true when the agent went offline
     */
    boolean markOffline(UUID id, UUID sessionId) {
        return jdbc.update(
                        "UPDATE agent SET online = FALSE, connected_to = NULL, last_seen_at = ? WHERE id = ?"
                                + " AND session_id = ?",
                        Timestamp.from(Instant.now()),
                        id,
                        sessionId)
                == 1;
    }

    /** The session currently recorded for the agent. */
    Optional<UUID> currentSession(UUID id) {
        return jdbc.queryForList("SELECT session_id FROM agent WHERE id = ?", UUID.class, id).stream()
                .filter(java.util.Objects::nonNull)
                .findFirst();
    }

    boolean revoke(UUID id) {
        return jdbc.update(
                        "UPDATE agent SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                        Timestamp.from(Instant.now()),
                        id)
                == 1;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
