package dev.wgmesh.agent.host;

import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.proto.v1.InterfaceConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The host-side part of an {@link InterfaceConfig}, validated: every address and prefix parsed, the MTU in range.
 * Building one runs no command, so a bad revision is refused before anything on the host changes.
 *
 * @param addresses addresses wanted on the tunnel interface, in the controller's order, no duplicates
 * @param mtu the MTU wanted, or 0 to leave it as it is (proto3's default: the controller did not say)
 * @param routes prefixes to route into the tunnel, canonical, no duplicates
 * @param forwardIpv4 IPv4 forwarding wanted (this agent routes an IPv4 site LAN)
 * @param forwardIpv6 IPv6 forwarding wanted (this agent routes an IPv6 site LAN)
 */
public record HostSettings(
        List<HostAddress> addresses, int mtu, List<IpPrefix> routes, boolean forwardIpv4, boolean forwardIpv6) {

    /** Linux refuses an IPv4 MTU below 68 (RFC 791's minimum). */
    public static final int MIN_MTU = 68;
    /** IPv6 needs 1280 (RFC 8200 section 5); below it the kernel silently disables IPv6 on the interface. */
    public static final int MIN_IPV6_MTU = 1280;
    /** Our own limit: the largest IP packet. */
    public static final int MAX_MTU = 65535;

    public HostSettings {
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
    }

    public static HostSettings from(InterfaceConfig config) {
        Set<HostAddress> addresses = new LinkedHashSet<>();
        for (String a : config.getAddressesList()) {
            HostAddress parsed = parse("address", a, HostAddress::parse);
            if (!addresses.add(parsed)) {
                throw new IllegalArgumentException("address " + parsed + " is listed twice");
            }
        }
        for (HostAddress a : addresses) {
            for (HostAddress b : addresses) {
                if (a != b && a.isIpv6() && a.sameAddress(b)) {
                    // The kernel keys IPv6 addresses by address alone ("address already assigned").
                    throw new IllegalArgumentException("IPv6 address " + a + " is listed with two prefix lengths");
                }
            }
        }
        Set<IpPrefix> routes = new LinkedHashSet<>();
        for (String r : config.getRoutesList()) {
            routes.add(parse("route", r, IpPrefix::parse));
        }
        boolean v4 = false;
        boolean v6 = false;
        for (String l : config.getLocalLanPrefixesList()) {
            IpPrefix p = parse("local LAN prefix", l, IpPrefix::parse);
            v4 |= !p.isIpv6();
            v6 |= p.isIpv6();
        }
        int mtu = config.getMtu();
        if (mtu != 0 && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            throw new IllegalArgumentException("mtu " + mtu + " is outside " + MIN_MTU + "-" + MAX_MTU);
        }
        boolean anyV6 = addresses.stream().anyMatch(HostAddress::isIpv6)
                || routes.stream().anyMatch(IpPrefix::isIpv6);
        if (mtu != 0 && mtu < MIN_IPV6_MTU && anyV6) {
            throw new IllegalArgumentException("mtu " + mtu + " is below IPv6's minimum of " + MIN_IPV6_MTU
                    + " but IPv6 addresses or routes are configured");
        }
        return new HostSettings(List.copyOf(addresses), mtu, List.copyOf(routes), v4, v6);
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(String what, String text, Parser<T> parser) {
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("invalid " + what + ": " + ex.getMessage());
        }
    }
}
