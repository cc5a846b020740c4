package dev.wgmesh.controller.mesh;

import java.util.List;
import java.util.UUID;

/**
 * The declared shape of a mesh, as validated and stored per revision (immutable once stored).
 *
 * @param hubs HUB_AND_SPOKE only: hub sites in order of preference (the first hub with an active router carries
 *     spoke-to-spoke traffic)
 * @param links EXPLICIT only: the site pairs with a direct link
 */
public record MeshSpec(Topology topology, List<UUID> hubs, List<Member> members, List<Link> links) {
    /**
     * A member site.
     *
     * @param endpoint {@code host:port} where the site's router agent is reached; null = the agent's own (learned)
     *     endpoint
     * @param persistentKeepalive seconds the site's agents send keepalives on their links (sites behind NAT); null =
     *     the peer or network default, or 25 for an agent without an endpoint
     * @param lanPrefixes prefixes routed to the site through the mesh; null = the site's own LAN prefixes
     */
    public record Member(UUID siteId, String endpoint, Integer persistentKeepalive, List<String> lanPrefixes) {}

    /** A direct link between two member sites (order does not matter). */
    public record Link(UUID siteA, UUID siteB) {}
}
