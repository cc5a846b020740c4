package dev.wgmesh.controller.site;

import dev.wgmesh.controller.ipam.Cidr;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A site: a LAN whose prefixes are routed through the site's agent peers. */
public record Site(
        UUID id,
        UUID networkId,
        String name,
        List<Cidr> lanPrefixes,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    static Site of(SiteEntity e) {
        return new Site(
                e.id(),
                e.networkId(),
                e.name(),
                e.lanPrefixes().stream().map(Cidr::parse).toList(),
                e.version(),
                e.createdAt(),
                e.updatedAt());
    }

    Map<String, Object> auditView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("networkId", networkId.toString());
        m.put("name", name);
        m.put("lanPrefixes", lanPrefixes.stream().map(Cidr::toString).toList());
        return m;
    }
}
