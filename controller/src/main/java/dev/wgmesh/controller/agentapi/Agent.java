package dev.wgmesh.controller.agentapi;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent as the REST API shows it (SYNC-CONVENTIONS.md "Agents in the controller"). No credential material.
 *
 * @param connectedTo the replica id holding the agent's Sync stream, null when offline
 * @param drift true when the agent acknowledged a hash different from the one the controller wants it to run
 */
public record Agent(
        UUID id,
        UUID peerId,
        UUID networkId,
        UUID siteId,
        String name,
        String version,
        boolean online,
        Instant lastSeenAt,
        String connectedTo,
        long desiredRevision,
        long appliedRevision,
        String desiredConfigHash,
        String appliedConfigHash,
        boolean drift,
        Instant revokedAt) {}
