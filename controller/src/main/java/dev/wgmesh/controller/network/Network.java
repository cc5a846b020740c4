package dev.wgmesh.controller.network;

import dev.wgmesh.controller.ipam.Cidr;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A network as other features and the API see it (immutable snapshot; no secrets live on a network). */
public record Network(
        UUID id,
        String name,
        Cidr ipv4Prefix,
        Cidr ipv6Prefix,
        int mtu,
        List<String> dnsServers,
        int persistentKeepalive,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    static Network of(NetworkEntity e) {
        return new Network(
                e.id(),
                e.name(),
                Cidr.parse(e.ipv4Prefix()),
                e.ipv6Prefix() == null ? null : Cidr.parse(e.ipv6Prefix()),
                e.mtu(),
                List.copyOf(e.dnsServers()),
                e.persistentKeepalive(),
                e.version(),
                e.createdAt(),
                e.updatedAt());
    }

    Map<String, Object> auditView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("ipv4Prefix", ipv4Prefix.toString());
        m.put("ipv6Prefix", ipv6Prefix == null ? null : ipv6Prefix.toString());
        m.put("mtu", mtu);
        m.put("dnsServers", dnsServers);
        m.put("persistentKeepalive", persistentKeepalive);
        return m;
    }
}
