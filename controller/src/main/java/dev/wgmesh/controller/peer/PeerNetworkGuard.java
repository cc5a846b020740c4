package dev.wgmesh.controller.peer;

import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.network.NetworkGuard;
import org.springframework.stereotype.Component;

/**
 * Peers pin their network: their addresses were allocated from its prefixes and their configs are out in the world,
 * so the prefixes stay fixed and the network stays while any peer exists.
 */
@Component
class PeerNetworkGuard implements NetworkGuard {
    private final PeerRepository repository;

    PeerNetworkGuard(PeerRepository repository) {
        this.repository = repository;
    }

    @Override
    public void beforePrefixChange(Network current, Network proposed) {
        long n = repository.countByNetworkId(current.id());
        if (n > 0) {
            throw new ConflictException(
                    current.ipv4Prefix().equals(proposed.ipv4Prefix()) ? "ipv6Prefix" : "ipv4Prefix",
                    "tunnel prefixes cannot change while the network has " + n + " peer(s)");
        }
    }

    @Override
    public void beforeDelete(Network network) {
        long n = repository.countByNetworkId(network.id());
        if (n > 0) {
            throw new ConflictException(null, "network '" + network.name() + "' still has " + n + " peer(s)");
        }
    }
}
