package dev.wgmesh.controller.peer;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A peer as other features and the API see it. Carries no private key: {@code controllerHoldsPrivateKey} only says
 * whether the config export will contain one or a placeholder.
 */
public record Peer(
        UUID id,
        UUID networkId,
        UUID siteId,
        String name,
        PeerKind kind,
        String publicKey,
        boolean controllerHoldsPrivateKey,
        String tunnelIpv4,
        String tunnelIpv6,
        String endpoint,
        Integer listenPort,
        Integer persistentKeepalive,
        boolean enabled,
        Instant expiresAt,
        List<String> tags,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    static Peer of(PeerEntity e) {
        return new Peer(
                e.id(),
                e.networkId(),
                e.siteId(),
                e.name(),
                e.kind(),
                e.publicKey(),
                e.privateKeySealed() != null,
                e.tunnelIpv4(),
                e.tunnelIpv6(),
                e.endpoint(),
                e.listenPort(),
                e.persistentKeepalive(),
                e.enabled(),
                e.expiresAt(),
                e.tags().stream().sorted().toList(),
                e.version(),
                e.createdAt(),
                e.updatedAt());
    }

    /** Enabled and not past its expiry. */
    public boolean active(Instant now) {
        return enabled && (expiresAt == null || expiresAt.isAfter(now));
    }

    /** The tunnel addresses as host prefixes, IPv4 first, as wg-quick's Address and AllowedIPs want them. */
    public List<String> tunnelHostPrefixes() {
        return tunnelIpv6 == null ? List.of(tunnelIpv4 + "/32") : List.of(tunnelIpv4 + "/32", tunnelIpv6 + "/128");
    }

    Map<String, Object> auditView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("networkId", networkId.toString());
        m.put("siteId", siteId == null ? null : siteId.toString());
        m.put("name", name);
        m.put("kind", kind.name());
        m.put("publicKey", publicKey); // public by definition; private keys are never part of a view
        m.put("tunnelIpv4", tunnelIpv4);
        m.put("tunnelIpv6", tunnelIpv6);
        m.put("endpoint", endpoint);
        m.put("listenPort", listenPort);
        m.put("persistentKeepalive", persistentKeepalive);
        m.put("enabled", enabled);
        m.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
        m.put("tags", tags);
        return m;
    }
}
