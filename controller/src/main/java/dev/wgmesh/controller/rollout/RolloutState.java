package dev.wgmesh.controller.rollout;

import java.util.Set;

/**
 * The life of a rollout.
 *
 * <pre>
 *   RUNNING ──gate fails, or pause──▶ PAUSED ──resume──▶ RUNNING ──last wave passes──▶ COMPLETED
 *   RUNNING | PAUSED ──abort──▶ ABORTED
 *   RUNNING | PAUSED | ABORTED | COMPLETED ──rollback──▶ ROLLING_BACK ──touched agents acked──▶ ROLLED_BACK
 * </pre>
 */
public enum RolloutState {
    RUNNING,
    PAUSED,
    COMPLETED,
    ABORTED,
    ROLLING_BACK,
    ROLLED_BACK;

    static final Set<RolloutState> ACTIVE = Set.of(RUNNING, PAUSED, ROLLING_BACK);

    /** States a replica drives (needs the lease). */
    boolean driven() {
        return this == RUNNING || this == ROLLING_BACK;
    }

    boolean canPause() {
        return this == RUNNING;
    }

    boolean canResume() {
        return this == PAUSED;
    }

    boolean canAbort() {
        return this == RUNNING || this == PAUSED;
    }

    /** COMPLETED only for the mesh's latest rollout (checked by the service). */
    boolean canRollBack() {
        return this == RUNNING || this == PAUSED || this == ABORTED || this == COMPLETED;
    }
}
