package dev.wgmesh.agent.host;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.util.List;

/**
 * What the host has now, as far as {@link HostNetwork} cares: read with {@code ip -json} and {@code sysctl}.
 *
 * @param addresses every address on the interface (ours and anybody else's; link-local ones included)
 * @param mtu the interface's MTU
 * @param up whether the interface is administratively up
 * @param ourRoutes routes through the interface that carry our routing protocol number ({@link HostNetwork#ROUTE_PROTO})
 * @param forwardIpv4 {@code net.ipv4.ip_forward}
 * @param forwardIpv6 {@code net.ipv6.conf.all.forwarding}
 * @param promoteSecondaries {@code net.ipv4.conf.IF.promote_secondaries}
 */
public record HostSnapshot(
        List<HostAddress> addresses,
        int mtu,
        boolean up,
        List<IpPrefix> ourRoutes,
        boolean forwardIpv4,
        boolean forwardIpv6,
        boolean promoteSecondaries) {

    public HostSnapshot {
        addresses = List.copyOf(addresses);
        ourRoutes = List.copyOf(ourRoutes);
    }
}
