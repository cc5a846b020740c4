package dev.wgmesh.controller.rollout;

/** A rollout with the names an operator recognises it by, for lists across networks. */
public record RolloutInState(String networkName, String meshName, Rollout rollout) {}
