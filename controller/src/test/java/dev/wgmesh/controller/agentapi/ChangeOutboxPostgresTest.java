package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.IntegrationTest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The outbox on PostgreSQL: an outbox row notifies {@code LISTEN wgmesh_change} when, and only when, its transaction
 * commits (the wake-up other replicas rely on; trigger of migration V43, the writer sends no notification itself),
 * and the reader's query uses the primary key even on a table without statistics.
 */
@IntegrationTest
class ChangeOutboxPostgresTest {
    private static final int QUIET_MILLIS = 300;

    @Autowired
    ChangeOutbox outbox;

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void anOutboxRowNotifiesListenersAtCommitAndNotOnRollback() throws Exception {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        UUID network = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + ChangeOutbox.CHANNEL);
            }
            PGConnection listener = c.unwrap(PGConnection.class);
            try {
                listener.getNotifications(QUIET_MILLIS); // whatever earlier tests left queued

                tx.executeWithoutResult(status -> {
                    outbox.append(network, "peer", UUID.randomUUID().toString(), "peer.created");
                    status.setRollbackOnly();
                });
                assertThat(notifications(listener, QUIET_MILLIS))
                        .as("rolled back")
                        .isZero();

                tx.executeWithoutResult(status -> {
                    outbox.append(network, "peer", UUID.randomUUID().toString(), "peer.created");
                    outbox.append(network, "peer", UUID.randomUUID().toString(), "peer.updated");
                    assertThat(notifications(listener, QUIET_MILLIS))
                            .as("before commit")
                            .isZero();
                });
                assertThat(notifications(listener, 5000)).as("after commit").isEqualTo(1);
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("UNLISTEN *"); // the connection goes back to the pool
                }
            }
        }
    }

    @Test
    void theReaderReadsThroughThePrimaryKeyWithoutStatistics() throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // A never-analysed copy that shadows the real table in this session (pg_temp comes first).
                s.execute("CREATE TEMP TABLE change_outbox (LIKE public.change_outbox INCLUDING ALL) ON COMMIT DROP");
                s.execute("INSERT INTO change_outbox (network_id, target_type, target_id, action, created_at)"
                        + " SELECT NULL, 'peer', g::text, 'peer.created', now() FROM generate_series(1, 30000) g");
            }
            StringBuilder plan = new StringBuilder();
            try (var ps = c.prepareStatement("EXPLAIN " + ChangePoller.READ)) {
                ps.setLong(1, 29_990);
                ps.setLong(2, Long.MAX_VALUE);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            } finally {
                c.rollback();
            }
            assertThat(plan.toString()).contains("change_outbox_pkey").doesNotContain("Seq Scan");
        }
    }

    /** Notifications on the outbox channel that arrive within {@code millis} (0 when none). */
    private static int notifications(PGConnection listener, int millis) {
        try {
            PGNotification[] got = listener.getNotifications(millis);
            int n = 0;
            for (PGNotification note : got == null ? new PGNotification[0] : got) {
                n += ChangeOutbox.CHANNEL.equals(note.getName()) ? 1 : 0;
            }
            return n;
        } catch (java.sql.SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
