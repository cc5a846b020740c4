package dev.wgmesh.controller.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A rollout as the API shows it.
 *
 * @param currentWave index of the wave in progress (0 = canary); {@code waveCount} once all passed
 * @param wavePhase {@code PENDING} (about to be applied), {@code APPLIED} (waiting for acks and health),
 *     {@code REVERT_PENDING}/{@code REVERTED} during a rollback; null when finished
 * @param reason why it paused (the failed gate) or how it ended
 * @param waves the agents of each wave with their step; only in single-rollout answers
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rollout(
        UUID id,
        UUID meshId,
        UUID networkId,
        long targetRevision,
        long fromStableRevision,
        RolloutState state,
        int canarySize,
        int waveSize,
        long pauseSeconds,
        long gateTimeoutSeconds,
        boolean healthGates,
        int waveCount,
        int currentWave,
        String wavePhase,
        Instant waveStartedAt,
        String reason,
        String leaseOwner,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt,
        List<Wave> waves) {

    /** One wave. */
    public record Wave(int index, List<AgentItem> agents) {}

    /** One agent of a wave. {@code resync}: in the rollout because its config drifted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentItem(UUID peerId, String step, boolean resync, Long previousRevision, String detail) {}

    Rollout withWaves(List<Wave> w) {
        return new Rollout(
                id,
                meshId,
                networkId,
                targetRevision,
                fromStableRevision,
                state,
                canarySize,
                waveSize,
                pauseSeconds,
                gateTimeoutSeconds,
                healthGates,
                waveCount,
                currentWave,
                wavePhase,
                waveStartedAt,
                reason,
                leaseOwner,
                createdBy,
                createdAt,
                updatedAt,
                finishedAt,
                w);
    }
}
