package dev.wgmesh.controller.agentapi;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code change_outbox}.
 *
 * @param targetType {@code peer}, {@code site}, {@code network} or {@code agent}
 * @param action the audit action ({@code peer.updated}) or an agent-session action ({@code agent.session},
 *     {@code agent.revoked}, {@code agent.offline})
 */
record ChangeEvent(long id, UUID networkId, String targetType, String targetId, String action, Instant createdAt) {}
