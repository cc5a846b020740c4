package dev.wgmesh.controller.mesh;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * What moving every agent of a mesh to {@code targetRevision} would change, per agent; nothing is applied.
 *
 * @param agents agents whose agent-to-agent peers or routes change, hub sites' agents first (the rollout order)
 * @param drift enrolled agents whose applied config hash differs from the one the controller wants them to run
 */
public record Plan(
        UUID meshId,
        long targetRevision,
        long stableRevision,
        int agentsChanged,
        int agentsUnchanged,
        List<AgentPlan> agents,
        List<Drift> drift) {

    /** One agent's differences. */
    public record AgentPlan(
            UUID peerId,
            UUID agentId,
            String name,
            UUID siteId,
            long fromRevision,
            long toRevision,
            List<PeerChange> peersAdded,
            List<PeerChange> peersRemoved,
            List<PeerChange> peersChanged,
            List<String> routesAdded,
            List<String> routesRemoved) {}

    /**
     * One peer entry added, removed or changed. Added: the new entry's fields. Removed: only the peer. Changed: only
     * what differs ({@code allowedIpsAdded/Removed}, {@code endpoint}/{@code endpointBefore}, {@code
     * persistentKeepalive}/{@code persistentKeepaliveBefore}, {@code presharedKeyChanged}). Never key material:
     * {@code presharedKey} says only whether the link has one.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PeerChange(
            UUID peerId,
            String name,
            List<String> allowedIps,
            List<String> allowedIpsAdded,
            List<String> allowedIpsRemoved,
            String endpoint,
            String endpointBefore,
            Integer persistentKeepalive,
            Integer persistentKeepaliveBefore,
            Boolean presharedKey,
            Boolean presharedKeyChanged) {}

    /** An agent running something other than what the controller wants it to run. */
    public record Drift(UUID peerId, UUID agentId, String name, String desiredConfigHash, String appliedConfigHash) {}
}
