package dev.wgmesh.controller.agentapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Revision numbers that no two sessions of an agent share, whichever replicas serve them.
 *
 * <p>A session numbers its revisions from a block reserved in {@code agent.revision_reserved}: at its start it
 * reserves {@code (floor, floor + BLOCK]} above every revision reserved, desired or applied before, in the same
 * statement fenced by its session id, so a session that started on another replica after it (and so owns the row)
 * can never get a block below one this session uses. Sending therefore never waits for the revision it sent to be
 * written (desired revisions are written in batches, {@link AgentStateWriter}): the old way, reading the stored
 * desired revision at the start, let a new session on replica B reuse a revision that the previous session on
 * replica A had sent within the last write period.
 *
 * <p>Half-way through a block the session asks the state writer to reserve the next one with its next batch
 * ({@link #refill}, compare-and-set on the old ceiling and the session); only a session that uses up a block before
 * that lands reserves synchronously ({@link #reserve}). Revisions jump by up to a block across sessions; they stay
 * monotonic per agent, which is all the contract asks.
 */
@Component
class RevisionBlocks {
    static final long BLOCK = 1000;

    /** Revisions {@code (floor, ceiling]} reserved for a session; the agent's stored desired revision alongside. */
    record Reserved(long floor, long ceiling, long desiredRevision) {}

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    RevisionBlocks(JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Reserves a block above everything reserved, desired or applied so far (and above {@code appliedRevision}, what
     * the agent says it runs). Empty when {@code sessionId} is no longer the agent's current session.
     */
    Optional<Reserved> reserve(UUID agentId, UUID sessionId, long appliedRevision) {
        return tx.execute(status -> {
            int updated = jdbc.update(
                    "UPDATE agent SET revision_reserved = GREATEST(revision_reserved, desired_revision,"
                            + " applied_revision, CAST(? AS BIGINT)) + ? WHERE id = ? AND session_id = ?",
                    appliedRevision,
                    BLOCK,
                    agentId,
                    sessionId);
            if (updated != 1) {
                return Optional.<Reserved>empty();
            }
            // The row stays locked until commit: what is read is what this statement wrote.
            return jdbc
                    .query(
                            "SELECT revision_reserved, desired_revision FROM agent WHERE id = ?",
                            (rs, n) -> new Reserved(rs.getLong(1) - BLOCK, rs.getLong(1), rs.getLong(2)),
                            agentId)
                    .stream()
                    .findFirst();
        });
    }

    /**
     * Extends the blocks of sessions that used half of theirs, in one batch. A session superseded meanwhile (or one
     * that reserved synchronously) gets nothing here.
     */
    void refill(List<AgentSession> sessions) {
        if (sessions.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(sessions.size());
        List<Long> ceilings = new ArrayList<>(sessions.size());
        for (AgentSession s : sessions) {
            long ceiling = s.revisionCeiling();
            ceilings.add(ceiling);
            rows.add(new Object[] {ceiling + BLOCK, s.agentId, s.sessionId, ceiling});
        }
        int[] updated = jdbc.batchUpdate(
                "UPDATE agent SET revision_reserved = ? WHERE id = ? AND session_id = ? AND revision_reserved = ?",
                rows);
        for (int i = 0; i < sessions.size(); i++) {
            if (updated[i] == 1) {
                sessions.get(i).extendRevisions(ceilings.get(i) + BLOCK);
            }
        }
    }
}
