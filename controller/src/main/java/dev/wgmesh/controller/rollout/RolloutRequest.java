package dev.wgmesh.controller.rollout;

/**
 * Body of {@code POST .../rollouts}; every field is optional.
 *
 * @param canarySize agents in the first wave (default 1)
 * @param waveSize agents in each later wave (default 5)
 * @param pauseSeconds wait after a wave passed before the next starts (default 0)
 * @param gateTimeoutSeconds how long a wave may take to be acknowledged and healthy (default 60)
 * @param healthGates false = a wave passes on acks alone (default true)
 * @param reconverge include agents whose applied config hash drifted, re-sending their config (default true)
 */
public record RolloutRequest(
        Integer canarySize,
        Integer waveSize,
        Integer pauseSeconds,
        Integer gateTimeoutSeconds,
        Boolean healthGates,
        Boolean reconverge) {}
