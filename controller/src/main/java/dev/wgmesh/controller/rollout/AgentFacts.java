package dev.wgmesh.controller.rollout;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Enrolled agents' revisions and hashes, by peer id (the agent feature's table, read-only). An ack counts for a wave
 * when the agent runs what the controller wants ({@code applied == desired} hash) at a revision newer than the one
 * it was sent before the wave: a wave always changes what an agent in it runs, so only a new revision can carry it.
 */
@Component
class AgentFacts {
    private final JdbcTemplate jdbc;

    AgentFacts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    record Status(
            UUID agentId,
            UUID peerId,
            boolean online,
            long desiredRevision,
            long appliedRevision,
            String desiredHash,
            String appliedHash,
            String lastError) {
        boolean ackedAfter(Long desiredBefore) {
            return desiredHash != null
                    && desiredHash.equals(appliedHash)
                    && desiredRevision == appliedRevision
                    && appliedRevision > (desiredBefore == null ? 0 : desiredBefore);
        }
    }

    Map<UUID, Status> byPeer(Collection<UUID> peerIds) {
        Map<UUID, Status> out = new HashMap<>();
        if (peerIds.isEmpty()) {
            return out;
        }
        String marks = String.join(",", java.util.Collections.nCopies(peerIds.size(), "?"));
        jdbc.query(
                "SELECT id, peer_id, online, desired_revision, applied_revision, desired_config_hash,"
                        + " applied_config_hash, last_error FROM agent WHERE revoked_at IS NULL AND peer_id IN ("
                        + marks + ")",
                (java.sql.ResultSet rs) -> {
                    Status s = new Status(
                            rs.getObject(1, UUID.class),
                            rs.getObject(2, UUID.class),
                            rs.getBoolean(3),
                            rs.getLong(4),
                            rs.getLong(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8));
                    out.put(s.peerId(), s);
                },
                peerIds.toArray());
        return out;
    }
}
