package dev.wgmesh.controller.network;

/**
 * Lets features that hang off a network veto changes that would break them, without the network feature knowing
 * them (sites and peers depend on networks, never the reverse). Called inside the change's transaction with the
 * network row locked; a veto is a {@link dev.wgmesh.controller.common.ConflictException}.
 */
public interface NetworkGuard {
    /** Before the network's tunnel prefixes change from {@code current} to {@code proposed}'s. */
    void beforePrefixChange(Network current, Network proposed);

    /** Before the network is deleted. */
    void beforeDelete(Network network);
}
