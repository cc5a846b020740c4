package dev.wgmesh.controller.enrolment;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Bare network and site rows for enrolment tests, without the networks feature's API or audit entries. */
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
        jdbc.update(
                "INSERT INTO network (id, name, ipv4_prefix, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                id,
                "net-" + id.toString().substring(0, 8),
                "10.77.0.0/16",
                now,
                now);
        return id;
    }
}
