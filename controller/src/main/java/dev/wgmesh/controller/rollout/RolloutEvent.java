package dev.wgmesh.controller.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/**
 * One entry of a rollout's history. Kinds: {@code rollout.started}, {@code wave.applied}, {@code agent.acked},
 * {@code agent.healthy}, {@code wave.passed}, {@code wave.gate-failed}, {@code agent.failed}, {@code rollout.paused},
 * {@code rollout.resumed}, {@code rollout.aborted}, {@code rollout.completed}, {@code rollback.started},
 * {@code rollback.applied}, {@code agent.reverted}, {@code rollback.completed}, {@code lease.taken-over}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutEvent(
        long id, UUID rolloutId, Instant occurredAt, String kind, Integer wave, UUID peerId, String detail) {}
