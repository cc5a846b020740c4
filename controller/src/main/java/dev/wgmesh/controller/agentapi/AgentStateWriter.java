package dev.wgmesh.controller.agentapi;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes agents' desired/applied revisions and last-seen times in batches every {@link #PERIOD_MS} ms: a change that
 * reaches 1,000 agents makes 2,000 small updates, which as single statements would dominate the fan-out. Latest value
 * per agent wins (coalesced), so the queue is bounded by the number of agents.
 */
@Component
class AgentStateWriter implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(AgentStateWriter.class);
    static final long PERIOD_MS = 100;

    private record Revision(long revision, String hash, String error) {}

    /** An applied state reported in one session (Hello or Ack): written only while that session is current. */
    private record Applied(UUID agentId, long revision, String hash, String error) {}

    /** PostgreSQL channel: "replica-id:agent-id,agent-id,..." after a flush changed those agents' revisions. */
    static final String CHANNEL = "wgmesh_agent";
    /** NOTIFY payloads must stay under 8000 bytes: 37 bytes per id. */
    private static final int IDS_PER_NOTIFY = 200;

    private final JdbcTemplate jdbc;
    private final AgentEvents events;
    private final ReplicaId replica;
    private final boolean postgres;
    private final Map<UUID, Revision> desired = new ConcurrentHashMap<>();
    /**
     * By session, not by agent: a late Ack of a superseded session must neither be written (fenced by
     * {@code session_id} in the update) nor displace the newer session's Hello from this queue.
     */
    private final Map<UUID, Applied> applied = new ConcurrentHashMap<>();
    /** Sessions running low on reserved revisions (see {@link RevisionBlocks}). */
    private final Map<UUID, AgentSession> refills = new ConcurrentHashMap<>();

    private final RevisionBlocks blocks;
    private final Map<UUID, UUID> seen = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-state-writer").daemon().factory());

    AgentStateWriter(
            JdbcTemplate jdbc, AgentEvents events, ReplicaId replica, ChangeOutbox outbox, RevisionBlocks blocks) {
        this.jdbc = jdbc;
        this.blocks = blocks;
        this.events = events;
        this.replica = replica;
        this.postgres = outbox.postgres();
        timer.scheduleWithFixedDelay(this::flushQuietly, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    void desired(UUID agentId, long revision, String hash) {
        desired.put(agentId, new Revision(revision, hash, null));
    }

    /** What the agent runs, as reported in session {@code sessionId}; dropped if another session is current by then. */
    void applied(UUID agentId, UUID sessionId, long revision, String hash, String error) {
        applied.put(sessionId, new Applied(agentId, revision, hash, error));
    }

    /** Reserves the session's next block of revisions with the next batch (it has half a block left meanwhile). */
    void refill(AgentSession session) {
        refills.put(session.sessionId, session);
    }

    /** Last seen now, for the given session only (fencing). */
    void seen(UUID agentId, UUID sessionId) {
        seen.put(agentId, sessionId);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException ex) {
            log.warn("Could not write agent states (will retry)", ex);
        }
    }

    /**
     * Writes everything queued so far; then the dashboard hears of the agents whose revisions moved: this replica's
     * subscribers directly, the other replicas' through {@link #CHANNEL} ({@link ChangePoller} listens).
     */
    synchronized void flush() {
        Set<UUID> moved = writeQueued();
        if (moved.isEmpty()) {
            return;
        }
        events.agentsChanged(moved);
        if (postgres) {
            List<UUID> ids = new ArrayList<>(moved);
            for (int i = 0; i < ids.size(); i += IDS_PER_NOTIFY) {
                StringBuilder payload = new StringBuilder(replica.id()).append(':');
                for (UUID id : ids.subList(i, Math.min(ids.size(), i + IDS_PER_NOTIFY))) {
                    payload.append(id).append(',');
                }
                payload.setLength(payload.length() - 1);
                jdbc.queryForList("SELECT pg_notify(?, ?)", CHANNEL, payload.toString());
            }
        }
    }

    /** Agents named in a {@link #CHANNEL} payload of another replica (empty for this replica's own or bad ones). */
    List<UUID> fromOtherReplica(String payload) {
        int colon = payload == null ? -1 : payload.lastIndexOf(':');
        if (colon < 0 || payload.substring(0, colon).equals(replica.id())) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>();
        for (String part : payload.substring(colon + 1).split(",")) {
            try {
                ids.add(UUID.fromString(part));
            } catch (IllegalArgumentException ex) {
                return List.of();
            }
        }
        return ids;
    }

    /** @return the agents whose desired or applied revision was written */
    private Set<UUID> writeQueued() {
        Set<UUID> moved = new LinkedHashSet<>();
        List<Object[]> d = drain(desired, (id, r) -> new Object[] {id, r.revision(), r.hash()});
        d.forEach(row -> moved.add((UUID) row[0]));
        update(
                d,
                "UPDATE agent SET desired_revision = ?, desired_config_hash = ? WHERE id = ? AND desired_revision <= ?",
                row -> new Object[] {row[1], row[2], row[0], row[1]},
                "UPDATE agent a SET desired_revision = v.r, desired_config_hash = v.h"
                        + " FROM unnest(?::uuid[], ?::bigint[], ?::text[]) AS v(id, r, h)"
                        + " WHERE a.id = v.id AND a.desired_revision <= v.r",
                null,
                "uuid",
                "bigint",
                "text");
        List<Object[]> a =
                drain(applied, (session, r) -> new Object[] {r.agentId(), session, r.revision(), r.hash(), r.error()});
        a.forEach(row -> moved.add((UUID) row[0]));
        update(
                a,
                "UPDATE agent SET applied_revision = ?, applied_config_hash = ?, last_error = ? WHERE id = ?"
                        + " AND session_id = ?",
                row -> new Object[] {row[2], row[3], row[4], row[0], row[1]},
                "UPDATE agent a SET applied_revision = v.r, applied_config_hash = v.h, last_error = v.e"
                        + " FROM unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::text[], ?::text[]) AS v(id, s, r, h, e)"
                        + " WHERE a.id = v.id AND a.session_id = v.s",
                null,
                "uuid",
                "uuid",
                "bigint",
                "text",
                "text");
        blocks.refill(drain(refills, (sessionId, session) -> session));
        Timestamp now = Timestamp.from(Instant.now());
        List<Object[]> s = drain(seen, (id, session) -> new Object[] {id, session});
        update(
                s,
                "UPDATE agent SET last_seen_at = ? WHERE id = ? AND session_id = ?",
                row -> new Object[] {now, row[0], row[1]},
                "UPDATE agent a SET last_seen_at = ? FROM unnest(?::uuid[], ?::uuid[]) AS v(id, s)"
                        + " WHERE a.id = v.id AND a.session_id = v.s",
                now,
                "uuid",
                "uuid");
        return moved;
    }

    /**
     * Writes {@code rows}: on PostgreSQL as one statement over column arrays ({@code unnest}), which costs the
     * database a fraction of a batch of single-row updates (1,000 agents per change make 2,000 rows); elsewhere as
     * a JDBC batch of {@code rowSql} with the parameters {@code params} makes of a row.
     *
     * @param first a scalar first parameter of {@code bulkSql}, or null when it has only the column arrays
     * @param types the SQL type of each column's array, in the order of the columns of a row
     */
    private void update(
            List<Object[]> rows,
            String rowSql,
            java.util.function.Function<Object[], Object[]> params,
            String bulkSql,
            Object first,
            String... types) {
        if (rows.isEmpty()) {
            return;
        }
        if (!postgres) {
            jdbc.batchUpdate(rowSql, rows.stream().map(params).toList());
            return;
        }
        jdbc.update(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement(bulkSql);
            int p = 1;
            if (first != null) {
                ps.setObject(p++, first);
            }
            for (int col = 0; col < types.length; col++) {
                Object[] column = new Object[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    column[r] = rows.get(r)[col];
                }
                ps.setArray(p++, con.createArrayOf(types[col], column));
            }
            return ps;
        });
    }

    private static <V, R> List<R> drain(Map<UUID, V> map, java.util.function.BiFunction<UUID, V, R> row) {
        List<R> rows = new ArrayList<>();
        for (UUID id : List.copyOf(map.keySet())) {
            V v = map.remove(id);
            if (v != null) {
                rows.add(row.apply(id, v));
            }
        }
        return rows;
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
        flushQuietly();
    }
}
