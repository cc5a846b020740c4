package dev.wgmesh.controller.rollout;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Tables {@code rollout}, {@code rollout_agent}, {@code rollout_event}. Joins the caller's transaction. */
@Component
class RolloutStore {
    private static final String COLUMNS = "id, mesh_id, network_id, target_revision, from_stable, state, canary_size,"
            + " wave_size, pause_ms, gate_timeout_ms, health_gates, wave_count, current_wave, wave_phase,"
            + " wave_started_at, next_step_at, reason, lease_owner, lease_until, created_by, created_at, updated_at,"
            + " finished_at";

    /** A rollout row with the scheduling fields the API does not show. */
    record Row(Rollout rollout, Instant nextStepAt, Instant leaseUntil) {}

    /** One rollout_agent row. */
    record AgentRow(
            UUID peerId,
            int wave,
            Long previousRevision,
            Long desiredBefore,
            boolean resync,
            List<UUID> gatePeers,
            AgentStep step,
            String detail) {
        AgentRow with(AgentStep newStep, String newDetail) {
            return new AgentRow(peerId, wave, previousRevision, desiredBefore, resync, gatePeers, newStep, newDetail);
        }

        AgentRow applied(Long previous, Long before) {
            return new AgentRow(peerId, wave, previous, before, resync, gatePeers, AgentStep.APPLIED, null);
        }

        AgentRow reverting(Long before) {
            return new AgentRow(peerId, wave, previousRevision, before, resync, gatePeers, AgentStep.REVERTING, null);
        }
    }

    private final JdbcTemplate jdbc;

    RolloutStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Rollout r, Instant now) {
        jdbc.update(
                "INSERT INTO rollout (id, mesh_id, network_id, target_revision, from_stable, state, canary_size,"
                        + " wave_size, pause_ms, gate_timeout_ms, health_gates, wave_count, current_wave, wave_phase,"
                        + " next_step_at, created_by, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'PENDING', ?, ?, ?, ?)",
                r.id(),
                r.meshId(),
                r.networkId(),
                r.targetRevision(),
                r.fromStableRevision(),
                r.state().name(),
                r.canarySize(),
                r.waveSize(),
                r.pauseSeconds() * 1000,
                r.gateTimeoutSeconds() * 1000,
                r.healthGates(),
                r.waveCount(),
                Timestamp.from(now),
                r.createdBy(),
                Timestamp.from(now),
                Timestamp.from(now));
    }

    void insertAgents(UUID rolloutId, List<AgentRow> agents) {
        jdbc.batchUpdate(
                "INSERT INTO rollout_agent (rollout_id, peer_id, wave, resync, gate_peers, state) VALUES (?, ?, ?, ?, ?,"
                        + " ?)",
                agents.stream()
                        .map(a -> new Object[] {
                            rolloutId,
                            a.peerId(),
                            a.wave(),
                            a.resync(),
                            String.join(
                                    ",",
                                    a.gatePeers().stream().map(UUID::toString).toList()),
                            a.step().name()
                        })
                        .toList());
    }

    Optional<Row> find(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM rollout WHERE id = ?", this::row, id).stream()
                .findFirst();
    }

    /** Locks the row for a state change (until the transaction ends). */
    Optional<Row> lock(UUID id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM rollout WHERE id = ? FOR UPDATE", this::row, id).stream()
                .findFirst();
    }

    List<Rollout> list(UUID meshId, int limit) {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM rollout WHERE mesh_id = ? ORDER BY created_at DESC, id LIMIT ?",
                (rs, n) -> row(rs, n).rollout(),
                meshId,
                limit);
    }

    /**
     * Rollouts in {@code state} across every network, most recently changed first, each with its mesh's and
     * network's names (for the dashboard's "needs attention" list, which must not depend on how many networks exist).
     */
    List<RolloutInState> inState(RolloutState state, int limit) {
        return jdbc.query(
                "SELECT " + COLUMNS + ", (SELECT name FROM mesh WHERE mesh.id = rollout.mesh_id) AS mesh_name,"
                        + " (SELECT name FROM network WHERE network.id = rollout.network_id) AS network_name"
                        + " FROM rollout WHERE state = ? ORDER BY updated_at DESC, id LIMIT ?",
                (rs, n) -> new RolloutInState(
                        rs.getString("network_name"),
                        rs.getString("mesh_name"),
                        row(rs, n).rollout()),
                state.name(),
                limit);
    }

    Optional<Rollout> active(UUID meshId) {
        return jdbc
                .query(
                        "SELECT " + COLUMNS + " FROM rollout WHERE mesh_id = ? AND state IN ('RUNNING', 'PAUSED',"
                                + " 'ROLLING_BACK')",
                        (rs, n) -> row(rs, n).rollout(),
                        meshId)
                .stream()
                .findFirst();
    }

    Optional<UUID> latest(UUID meshId) {
        return jdbc
                .queryForList(
                        "SELECT id FROM rollout WHERE mesh_id = ? ORDER BY created_at DESC, id LIMIT 1",
                        UUID.class,
                        meshId)
                .stream()
                .findFirst();
    }

    /** Rollouts some replica must drive whose lease is free, expired or ours. */
    List<UUID> claimable(String owner, Instant now) {
        return jdbc.queryForList(
                "SELECT id FROM rollout WHERE state IN ('RUNNING', 'ROLLING_BACK') AND (lease_owner IS NULL"
                        + " OR lease_owner = ? OR lease_until < ?) ORDER BY created_at",
                UUID.class,
                owner,
                Timestamp.from(now));
    }

    /** Takes or renews the lease; false when another replica holds a live one or the rollout is not driven. */
    boolean claim(UUID id, String owner, Instant now, Instant until) {
        return jdbc.update(
                        "UPDATE rollout SET lease_owner = ?, lease_until = ? WHERE id = ? AND state IN ('RUNNING',"
                                + " 'ROLLING_BACK') AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)",
                        owner,
                        Timestamp.from(until),
                        id,
                        owner,
                        Timestamp.from(now))
                == 1;
    }

    void releaseAll(String owner) {
        jdbc.update("UPDATE rollout SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?", owner);
    }

    /** Writes the mutable fields of a rollout; a state no replica drives also frees the lease. */
    void save(UUID id, Progress p, Instant nextStepAt, Instant now) {
        boolean finished = !RolloutState.ACTIVE.contains(p.state);
        jdbc.update(
                "UPDATE rollout SET state = ?, current_wave = ?, wave_phase = ?, wave_started_at = ?, next_step_at = ?,"
                        + " reason = ?, updated_at = ?, finished_at = ?"
                        + (p.state.driven() ? "" : ", lease_owner = NULL, lease_until = NULL")
                        + " WHERE id = ?",
                p.state.name(),
                p.currentWave,
                p.phase,
                p.waveStartedAt == null ? null : Timestamp.from(p.waveStartedAt),
                nextStepAt == null ? null : Timestamp.from(nextStepAt),
                truncate(p.reason, 2000),
                Timestamp.from(now),
                finished ? Timestamp.from(now) : null,
                id);
    }

    /** The mutable part of a rollout while a step changes it. */
    static final class Progress {
        RolloutState state;
        int currentWave;
        String phase;
        Instant waveStartedAt;
        String reason;

        Progress(Rollout r) {
            state = r.state();
            currentWave = r.currentWave();
            phase = r.wavePhase();
            waveStartedAt = r.waveStartedAt();
            reason = r.reason();
        }
    }

    List<AgentRow> agents(UUID rolloutId) {
        return jdbc.query(
                "SELECT peer_id, wave, previous_revision, desired_before, resync, gate_peers, state, detail"
                        + " FROM rollout_agent WHERE rollout_id = ? ORDER BY wave, peer_id",
                (rs, n) -> {
                    String gate = rs.getString("gate_peers");
                    return new AgentRow(
                            rs.getObject("peer_id", UUID.class),
                            rs.getInt("wave"),
                            (Long) rs.getObject("previous_revision", Long.class),
                            (Long) rs.getObject("desired_before", Long.class),
                            rs.getBoolean("resync"),
                            gate == null || gate.isEmpty()
                                    ? List.of()
                                    : Arrays.stream(gate.split(","))
                                            .map(UUID::fromString)
                                            .toList(),
                            AgentStep.valueOf(rs.getString("state")),
                            rs.getString("detail"));
                },
                rolloutId);
    }

    void updateAgents(UUID rolloutId, List<AgentRow> agents) {
        if (agents.isEmpty()) {
            return;
        }
        jdbc.batchUpdate(
                "UPDATE rollout_agent SET previous_revision = ?, desired_before = ?, state = ?, detail = ?"
                        + " WHERE rollout_id = ? AND peer_id = ?",
                agents.stream()
                        .map(a -> new Object[] {
                            a.previousRevision(),
                            a.desiredBefore(),
                            a.step().name(),
                            truncate(a.detail(), 1000),
                            rolloutId,
                            a.peerId()
                        })
                        .toList());
    }

    void event(UUID rolloutId, String kind, Integer wave, UUID peerId, String detail) {
        jdbc.update(
                "INSERT INTO rollout_event (rollout_id, occurred_at, kind, wave, peer_id, detail) VALUES (?, ?, ?, ?,"
                        + " ?, ?)",
                rolloutId,
                Timestamp.from(Instant.now()),
                kind,
                wave,
                peerId,
                truncate(detail, 2000));
    }

    List<RolloutEvent> events(UUID rolloutId, long afterId, int limit) {
        return jdbc.query(
                "SELECT id, rollout_id, occurred_at, kind, wave, peer_id, detail FROM rollout_event"
                        + " WHERE rollout_id = ? AND id > ? ORDER BY id LIMIT ?",
                (rs, n) -> new RolloutEvent(
                        rs.getLong(1),
                        rs.getObject(2, UUID.class),
                        rs.getTimestamp(3).toInstant(),
                        rs.getString(4),
                        (Integer) rs.getObject(5, Integer.class),
                        rs.getObject(6, UUID.class),
                        rs.getString(7)),
                rolloutId,
                afterId,
                limit);
    }

    private Row row(ResultSet rs, int n) throws SQLException {
        Rollout r = new Rollout(
                rs.getObject("id", UUID.class),
                rs.getObject("mesh_id", UUID.class),
                rs.getObject("network_id", UUID.class),
                rs.getLong("target_revision"),
                rs.getLong("from_stable"),
                RolloutState.valueOf(rs.getString("state")),
                rs.getInt("canary_size"),
                rs.getInt("wave_size"),
                rs.getLong("pause_ms") / 1000,
                rs.getLong("gate_timeout_ms") / 1000,
                rs.getBoolean("health_gates"),
                rs.getInt("wave_count"),
                rs.getInt("current_wave"),
                rs.getString("wave_phase"),
                instant(rs, "wave_started_at"),
                rs.getString("reason"),
                rs.getString("lease_owner"),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "finished_at"),
                null);
        return new Row(r, instant(rs, "next_step_at"), instant(rs, "lease_until"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
