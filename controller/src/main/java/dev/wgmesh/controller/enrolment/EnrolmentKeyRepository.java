package dev.wgmesh.controller.enrolment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code enrolment_key}; {@link #consumeOne} is the atomic redemption guard. */
@Repository
class EnrolmentKeyRepository {
    private static final String COLUMNS = "id, network_id, site_id, name, reusable, usage_limit, use_count, created_by,"
            + " created_at, expires_at, revoked_at, last_used_at";

    private final JdbcClient jdbc;

    EnrolmentKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Stored(EnrolmentKey key, String secretSha256) {}

    void insert(EnrolmentKey k, String secretSha256) {
        jdbc.sql("INSERT INTO enrolment_key (" + COLUMNS + ", secret_sha256)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        k.id(),
                        k.networkId(),
                        k.siteId(),
                        k.name(),
                        k.reusable(),
                        k.usageLimit(),
                        k.useCount(),
                        k.createdBy(),
                        ts(k.createdAt()),
                        ts(k.expiresAt()),
                        ts(k.revokedAt()),
                        ts(k.lastUsedAt()),
                        secretSha256)
                .update();
    }

    List<EnrolmentKey> findByNetwork(UUID networkId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM enrolment_key WHERE network_id = ? ORDER BY created_at, id")
                .param(networkId)
                .query(EnrolmentKeyRepository::map)
                .list();
    }

    Optional<EnrolmentKey> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM enrolment_key WHERE id = ?")
                .param(id)
                .query(EnrolmentKeyRepository::map)
                .optional();
    }

    Optional<Stored> findStored(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + ", secret_sha256 FROM enrolment_key WHERE id = ?")
                .param(id)
                .query((rs, n) -> new Stored(map(rs, n), rs.getString("secret_sha256")))
                .optional();
    }

    boolean revoke(UUID networkId, UUID id, Instant now) {
        return jdbc.sql("UPDATE enrolment_key SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND network_id = ?")
                        .params(ts(now), id, networkId)
                        .update()
                == 1;
    }

    /**
     * Takes one use if the key is still valid, in one statement. Concurrent callers serialise on the row lock;
     * PostgreSQL re-evaluates the WHERE clause against the row the winner committed (READ COMMITTED), so a one-shot
     * key is consumed exactly once however many redeem it at the same moment.
     */
    boolean consumeOne(UUID id, Instant now) {
        return jdbc.sql("UPDATE enrolment_key SET use_count = use_count + 1, last_used_at = ?"
                                + " WHERE id = ? AND revoked_at IS NULL AND expires_at > ?"
                                + " AND (usage_limit IS NULL OR use_count < usage_limit)")
                        .params(ts(now), id, ts(now))
                        .update()
                == 1;
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static EnrolmentKey map(ResultSet rs, int row) throws SQLException {
        int limit = rs.getInt("usage_limit");
        Integer usageLimit = rs.wasNull() ? null : limit;
        return new EnrolmentKey(
                rs.getObject("id", UUID.class),
                rs.getObject("network_id", UUID.class),
                rs.getObject("site_id", UUID.class),
                rs.getString("name"),
                rs.getBoolean("reusable"),
                usageLimit,
                rs.getInt("use_count"),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "expires_at"),
                instant(rs, "revoked_at"),
                instant(rs, "last_used_at"));
    }
}
