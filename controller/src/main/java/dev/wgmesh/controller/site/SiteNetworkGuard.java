package dev.wgmesh.controller.site;

import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.ipam.Cidr;
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.network.NetworkGuard;
import org.springframework.stereotype.Component;

/** A network keeps its sites: no deletion while it has any, no tunnel prefix over a site's LAN. */
@Component
class SiteNetworkGuard implements NetworkGuard {
    private final SiteRepository repository;

    SiteNetworkGuard(SiteRepository repository) {
        this.repository = repository;
    }

    @Override
    public void beforePrefixChange(Network current, Network proposed) {
        for (SiteEntity s : repository.findByNetworkId(current.id())) {
            for (String p : s.lanPrefixes()) {
                Cidr lan = Cidr.parse(p);
                for (Cidr tunnel : new Cidr[] {proposed.ipv4Prefix(), proposed.ipv6Prefix()}) {
                    if (tunnel != null && tunnel.overlaps(lan)) {
                        throw new ConflictException(
                                tunnel.family() == 4 ? "ipv4Prefix" : "ipv6Prefix",
                                tunnel + " overlaps LAN prefix " + lan + " of site '" + s.name() + "'");
                    }
                }
            }
        }
    }

    @Override
    public void beforeDelete(Network network) {
        long n = repository.countByNetworkId(network.id());
        if (n > 0) {
            throw new ConflictException(null, "network '" + network.name() + "' still has " + n + " site(s)");
        }
    }
}
