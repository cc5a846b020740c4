package dev.wgmesh.controller.enrolment;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Inserts bare network rows for enrolment tests (the networks feature owns the real API). */
final class TestNetworks {
    private TestNetworks() {}

    static UUID insert(JdbcTemplate jdbc) {
        UUID id = UUID.randomUUID();
        jdbc.update(
                "INSERT INTO network (id, name, ipv4_prefix, created_at) VALUES (?, ?, ?, ?)",
                id,
                "net-" + id.toString().substring(0, 8),
                "10.77.0.0/16",
                Timestamp.from(Instant.now()));
        return id;
    }
}
