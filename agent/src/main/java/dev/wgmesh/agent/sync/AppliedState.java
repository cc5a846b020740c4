package dev.wgmesh.agent.sync;

import dev.wgmesh.proto.v1.NetworkConfig;

/**
 * What the agent runs: the last revision applied successfully (0 = none), the configuration of that revision as
 * the controller sent it, and the hash of what the data plane actually runs ({@code ConfigHashes}).
 */
public record AppliedState(long revision, NetworkConfig config, String hash) {
    public static final AppliedState NONE = new AppliedState(0, NetworkConfig.getDefaultInstance(), "");
}
