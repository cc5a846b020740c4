package dev.wgmesh.controller.peer;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Body of POST and PUT {@code /api/v1/networks/{n}/peers}.
 *
 * <ul>
 *   <li>{@code kind}, {@code publicKey} and the tunnel addresses are fixed at creation; a PUT may repeat them
 *       unchanged or omit them.
 *   <li>{@code publicKey}: required for AGENT; optional for DEVICE (omitted: the controller generates the key pair
 *       and the config export contains the private key; given: the export carries a placeholder instead).
 *   <li>{@code tunnelIpv4}/{@code tunnelIpv6}: static addresses; omitted: allocated. IPv6 only if the network has an
 *       IPv6 prefix.
 *   <li>{@code siteId}: AGENT peers only; the agent routes that site's LAN prefixes.
 *   <li>{@code endpoint}: {@code host:port} or {@code [ipv6]:port}; {@code persistentKeepalive}: null = network's.
 * </ul>
 */
public record PeerRequest(
        String name,
        PeerKind kind,
        UUID siteId,
        String publicKey,
        String tunnelIpv4,
        String tunnelIpv6,
        String endpoint,
        Integer listenPort,
        Integer persistentKeepalive,
        Boolean enabled,
        Instant expiresAt,
        List<String> tags) {}
