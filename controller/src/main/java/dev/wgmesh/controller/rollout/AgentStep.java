package dev.wgmesh.controller.rollout;

/**
 * Where one agent of a rollout is.
 *
 * <pre>
 *   PENDING ─wave applied─▶ APPLIED ─ack of a newer revision─▶ ACKED ─links healthy─▶ HEALTHY
 *   APPLIED | ACKED ─gate timeout─▶ FAILED ─resume─▶ APPLIED
 *   APPLIED | ACKED | HEALTHY | FAILED ─rollback─▶ REVERTING ─ack─▶ REVERTED
 * </pre>
 */
enum AgentStep {
    PENDING,
    APPLIED,
    ACKED,
    HEALTHY,
    FAILED,
    REVERTING,
    REVERTED;

    /** The rollout changed this agent's assignment (what a rollback must restore). */
    boolean touched() {
        return this != PENDING;
    }
}
