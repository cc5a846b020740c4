package dev.wgmesh.controller.token;

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

/** SQL for {@code api_token}. */
@Repository
class ApiTokenRepository {
    private static final String COLUMNS =
            "id, name, scope, created_by, created_at, expires_at, revoked_at, last_used_at";

    private final JdbcClient jdbc;

    ApiTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A row and its stored hash, for authentication. */
    record Stored(ApiToken token, String secretSha256) {}

    void insert(ApiToken t, String secretSha256) {
        jdbc.sql("INSERT INTO api_token (" + COLUMNS + ", secret_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        t.id(),
                        t.name(),
                        t.scope().name(),
                        t.createdBy(),
                        ts(t.createdAt()),
                        ts(t.expiresAt()),
                        ts(t.revokedAt()),
                        ts(t.lastUsedAt()),
                        secretSha256)
                .update();
    }

    Optional<Stored> findStored(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + ", secret_sha256 FROM api_token WHERE id = ?")
                .param(id)
                .query((rs, n) -> new Stored(map(rs, n), rs.getString("secret_sha256")))
                .optional();
    }

    Optional<ApiToken> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_token WHERE id = ?")
                .param(id)
                .query(ApiTokenRepository::map)
                .optional();
    }

    List<ApiToken> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_token ORDER BY created_at, id")
                .query(ApiTokenRepository::map)
                .list();
    }

    /** Sets revoked_at once; later revocations keep the first time. */
    boolean revoke(UUID id, Instant now) {
        return jdbc.sql("UPDATE api_token SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
                        .params(ts(now), id)
                        .update()
                == 1;
    }

    /**
     * Records a use unless one at most {@code minInterval} old is already stored: the WHERE clause keeps several
     * replicas from writing the row on every request.
     */
    void touchLastUsed(UUID id, Instant now, Instant notAfter) {
        jdbc.sql("UPDATE api_token SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
                .params(ts(now), id, ts(notAfter))
                .update();
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static ApiToken map(ResultSet rs, int row) throws SQLException {
        return new ApiToken(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                TokenScope.valueOf(rs.getString("scope")),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "expires_at"),
                instant(rs, "revoked_at"),
                instant(rs, "last_used_at"));
    }
}
