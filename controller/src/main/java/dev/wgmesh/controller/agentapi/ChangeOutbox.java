package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.audit.AuditRecorded;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes {@code change_outbox} rows. Changes to networks, sites and peers arrive as {@link AuditRecorded} events,
 * published inside the transaction of the change, so the row commits exactly when the change does and the
 * database's commit order is the order every replica sees (CONTROL-PLANE.md on Firezone: after-commit hooks are not
 * globally ordered). On PostgreSQL a statement-level trigger on the table (migration V43) sends the
 * {@link #CHANNEL} notification that wakes the other replicas' readers at commit; the writer adds no statement of its
 * own for it.
 */
@Component
class ChangeOutbox {
    static final String CHANNEL = "wgmesh_change";
    private static final Set<String> TARGETS = Set.of("peer", "site", "network", "mesh");

    private final JdbcTemplate jdbc;
    private final boolean postgres;

    ChangeOutbox(JdbcTemplate jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.postgres = isPostgres(dataSource);
    }

    static boolean isPostgres(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData()
                    .getDatabaseProductName()
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("postgres");
        } catch (SQLException ex) {
            return false;
        }
    }

    boolean postgres() {
        return postgres;
    }

    @EventListener
    void onAudit(AuditRecorded e) {
        if (!TARGETS.contains(e.targetType())) {
            return;
        }
        UUID networkId = "network".equals(e.targetType()) ? parse(e.targetId()) : networkOf(e.after(), e.before());
        append(networkId, e.targetType(), e.targetId(), e.action());
    }

    /**
     * Appends a row in the caller's transaction, if any (otherwise it autocommits). On PostgreSQL the insert also
     * queues the wake-up notification, delivered when the row commits (V43 trigger).
     */
    void append(UUID networkId, String targetType, String targetId, String action) {
        jdbc.update(
                "INSERT INTO change_outbox (network_id, target_type, target_id, action, created_at)"
                        + " VALUES (?, ?, ?, ?, ?)",
                networkId,
                targetType,
                targetId,
                action,
                OffsetDateTime.now(ZoneOffset.UTC)); // not java.sql.Timestamp: pgjdbc builds a calendar for each
    }

    private static UUID networkOf(Map<String, ?> after, Map<String, ?> before) {
        Map<String, ?> m = after != null ? after : before;
        Object id = m == null ? null : m.get("networkId");
        return id == null ? null : parse(id.toString());
    }

    private static UUID parse(String s) {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException ex) {
            return null;
        }
    }
}
