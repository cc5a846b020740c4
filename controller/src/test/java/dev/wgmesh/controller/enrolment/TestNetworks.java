package dev.wgmesh.controller.enrolment;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Inserts bare network rows for enrolment tests (the networks feature owns the real API). */
final class TestNetworks {
    private TestNetworks() {}

    /** Deletes a network this test made (its keys cascade), so tests sharing the context see no leftovers. */
    static void delete(JdbcTemplate jdbc, UUID id) {
        jdbc.update("DELETE FROM site WHERE network_id = ?", id);
        jdbc.update("DELETE FROM network WHERE id = ?", id);
    }

    static UUID insertSite(JdbcTemplate jdbc, UUID networkId) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update(
                "INSERT INTO site (id, network_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                id,
                networkId,
                "site-" + id.toString().substring(0, 8),
                now,
                now);
        return id;
    }

    static UUID insert(JdbcTemplate jdbc) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        // The networks feature adds updated_at to V1; fill it in when the column exists (before and after merge).
        boolean hasUpdatedAt = jdbc.queryForObject(
                        "SELECT count(*) FROM information_schema.columns"
                                + " WHERE table_name = 'network' AND column_name = 'updated_at'",
                        Long.class)
                > 0;
        jdbc.update(
                "INSERT INTO network (id, name, ipv4_prefix, created_at" + (hasUpdatedAt ? ", updated_at" : "")
                        + ") VALUES (?, ?, ?, ?" + (hasUpdatedAt ? ", ?" : "") + ")",
                hasUpdatedAt
                        ? new Object[] {id, "net-" + id.toString().substring(0, 8), "10.77.0.0/16", now, now}
                        : new Object[] {id, "net-" + id.toString().substring(0, 8), "10.77.0.0/16", now});
        return id;
    }
}
