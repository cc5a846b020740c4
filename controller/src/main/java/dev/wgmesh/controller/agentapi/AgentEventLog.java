package dev.wgmesh.controller.agentapi;

import dev.wgmesh.proto.v1.AgentEvent;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Stores {@code AgentEvent}s (table {@code agent_event}, kept 30 days by {@link StatsService}'s retention job). */
@Component
class AgentEventLog {
    static final int MAX_DETAIL = 1000;
    private final JdbcTemplate jdbc;

    AgentEventLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void record(AgentSession s, AgentEvent e) {
        String detail = e.getDetail().length() > MAX_DETAIL ? e.getDetail().substring(0, MAX_DETAIL) : e.getDetail();
        String key = e.getPeerPublicKey().size() == 32
                ? Base64.getEncoder().encodeToString(e.getPeerPublicKey().toByteArray())
                : null;
        Instant at = e.getTimeUnixMs() > 0 ? Instant.ofEpochMilli(e.getTimeUnixMs()) : Instant.now();
        jdbc.update(
                "INSERT INTO agent_event (agent_id, kind, occurred_at, peer_public_key, detail) VALUES (?, ?, ?, ?, ?)",
                s.agentId,
                e.getKind().name(),
                Timestamp.from(at),
                key,
                detail);
    }
}
