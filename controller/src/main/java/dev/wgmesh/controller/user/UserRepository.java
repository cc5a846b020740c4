package dev.wgmesh.controller.user;

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

/**
 * SQL for {@code app_user}. Plain JDBC rather than JPA: the interesting operations (last-admin guard) are
 * row locks and conditional statements, which read best as the SQL they are.
 */
@Repository
class UserRepository {
    private static final String COLUMNS = "id, username, password_hash, role, created_at";

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<AppUser> findByUsername(String username) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM app_user WHERE username = ?")
                .param(username)
                .query(UserRepository::map)
                .optional();
    }

    Optional<AppUser> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM app_user WHERE id = ?")
                .param(id)
                .query(UserRepository::map)
                .optional();
    }

    List<AppUser> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM app_user ORDER BY username")
                .query(UserRepository::map)
                .list();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM app_user").query(Long.class).single();
    }

    /** Throws {@link org.springframework.dao.DuplicateKeyException} when the username is taken. */
    void insert(AppUser user) {
        jdbc.sql("INSERT INTO app_user (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")
                .params(
                        user.id(),
                        user.username(),
                        user.passwordHash(),
                        user.role().name(),
                        ts(user.createdAt()))
                .update();
    }

    /**
     * Locks every ADMIN row until the transaction ends and returns their ids: callers that remove an admin take
     * this lock first, so two concurrent "remove admin" operations cannot both see "another admin remains".
     */
    List<UUID> lockAdmins() {
        return jdbc.sql("SELECT id FROM app_user WHERE role = 'ADMIN' ORDER BY id FOR UPDATE")
                .query(UUID.class)
                .list();
    }

    boolean updateRole(UUID id, Role role) {
        return jdbc.sql("UPDATE app_user SET role = ? WHERE id = ?")
                        .params(role.name(), id)
                        .update()
                == 1;
    }

    boolean updatePasswordHash(UUID id, String passwordHash) {
        return jdbc.sql("UPDATE app_user SET password_hash = ? WHERE id = ?")
                        .params(passwordHash, id)
                        .update()
                == 1;
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM app_user WHERE id = ?").param(id).update() == 1;
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static AppUser map(ResultSet rs, int row) throws SQLException {
        return new AppUser(
                rs.getObject("id", UUID.class),
                rs.getString("username"),
                rs.getString("password_hash"),
                Role.valueOf(rs.getString("role")),
                rs.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
