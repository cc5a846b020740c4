package dev.wgmesh.controller.network;

import java.util.List;

/**
 * Body of POST and PUT {@code /api/v1/networks}. PUT replaces every field; omitted optional fields take their
 * defaults (MTU 1420, keepalive 0 = off, no DNS, no IPv6).
 *
 * @param ipv4Prefix tunnel prefix, e.g. {@code 10.100.0.0/16}; length 8-30
 * @param ipv6Prefix optional tunnel prefix, e.g. {@code fd00:100::/64}; length 8-126
 * @param dnsServers IP literals or search domains, as wg-quick's {@code DNS =}
 */
public record NetworkRequest(
        String name,
        String ipv4Prefix,
        String ipv6Prefix,
        Integer mtu,
        List<String> dnsServers,
        Integer persistentKeepalive) {}
