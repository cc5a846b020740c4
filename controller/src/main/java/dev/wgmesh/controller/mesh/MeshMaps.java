package dev.wgmesh.controller.mesh;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The agent-to-agent part of a network map under a mesh: the one definition both the push to agents (agentapi's
 * network maps) and the planner use, so a plan shows exactly what agents will get.
 *
 * <p>An agent's entry for a peer follows the mesh revision <em>the agent itself</em> runs ({@code mine}): whether
 * the peer is there at all, its allowed IPs (its tunnel addresses, its site's LAN prefixes when it is the site's
 * router, and on a spoke's entry for the primary hub's router every other spoke's LAN prefixes and agents' tunnel
 * addresses), endpoint and keepalive. So an agent's desired config changes only when its wave comes. The exception
 * is the link's preshared key: WireGuard has one key per peer and a handshake needs the same key on both ends, so
 * the key is set only when <em>both</em> ends run a mesh revision in which both sites are members ({@code theirs}) —
 * both entries gain (or lose) it in the same fan-out, when the second end's wave comes. The key itself does not
 * depend on the revision, so moving between two mesh revisions never touches it (an agent whose wave has not come
 * keeps its exact config).
 *
 * <p>Pairs the mesh does not govern ({@link #governs}: same site, a non-member site, an agent on no mesh revision)
 * keep the network's implicit full mesh.
 */
public final class MeshMaps {
    /** Default keepalive of an agent that has no endpoint of its own (behind NAT) and none configured. */
    public static final int NAT_KEEPALIVE_SECONDS = 25;

    private MeshMaps() {}

    /**
     * An agent as the maps need it.
     *
     * @param keepalive the peer's own or the network's persistent keepalive (the implicit mesh's value)
     */
    public record Node(
            UUID peerId,
            UUID siteId,
            String name,
            byte[] publicKey,
            String tunnelIpv4,
            List<String> hostPrefixes,
            String endpoint,
            int keepalive) {}

    /** The live facts the maps read: routers and agents of sites (active agents only), sites' own LAN prefixes. */
    public interface Nodes {
        Optional<Node> router(UUID siteId);

        List<Node> agents(UUID siteId);

        List<String> siteLan(UUID siteId);
    }

    /** Preshared keys of links (32 bytes). */
    public interface LinkKeys {
        byte[] psk(UUID siteA, UUID siteB);
    }

    /**
     * One peer entry.
     *
     * @param presharedKey 32 bytes, or null for none
     */
    public record Entry(Node peer, List<String> allowedIps, String endpoint, int keepalive, byte[] presharedKey) {}

    /** True when the mesh revision {@code self} runs decides its entry for {@code peer}. */
    public static boolean governs(CompiledMesh mine, Node self, Node peer) {
        return mine != null
                && self.siteId() != null
                && peer.siteId() != null
                && !self.siteId().equals(peer.siteId())
                && mine.member(self.siteId())
                && mine.member(peer.siteId());
    }

    /**
     * The entry for {@code peer} in {@code self}'s map, empty when the mesh links their sites neither directly.
     * Call only when {@link #governs} holds.
     *
     * @param theirs the revision {@code peer} runs, null when it runs none
     */
    public static Optional<Entry> entry(
            CompiledMesh mine, CompiledMesh theirs, Node self, Node peer, Nodes nodes, LinkKeys keys) {
        UUID a = self.siteId();
        UUID b = peer.siteId();
        if (!mine.direct(a, b)) {
            return Optional.empty();
        }
        Set<String> allowed = new LinkedHashSet<>(peer.hostPrefixes());
        boolean router =
                nodes.router(b).map(r -> r.peerId().equals(peer.peerId())).orElse(false);
        if (router) {
            allowed.addAll(lan(mine, b, nodes));
            if (b.equals(primaryHub(mine, a, nodes))) {
                for (MeshSpec.Member m : mine.members()) {
                    UUID c = m.siteId();
                    if (mine.viaHub(a, c)) {
                        if (nodes.router(c).isPresent()) {
                            allowed.addAll(lan(mine, c, nodes));
                        }
                        nodes.agents(c).forEach(n -> allowed.addAll(n.hostPrefixes()));
                    }
                }
            }
        }
        MeshSpec.Member theirMember = mine.memberOf(b);
        String endpoint = router && theirMember.endpoint() != null ? theirMember.endpoint() : peer.endpoint();
        byte[] psk = theirs != null && theirs.member(a) && theirs.member(b) ? keys.psk(a, b) : null;
        return Optional.of(new Entry(peer, List.copyOf(allowed), endpoint, keepalive(mine, self, peer), psk));
    }

    /** The keepalive {@code self} uses towards {@code peer}: its site's setting, else 25 s behind NAT, else today's. */
    static int keepalive(CompiledMesh mine, Node self, Node peer) {
        MeshSpec.Member m = mine.memberOf(self.siteId());
        if (m.persistentKeepalive() != null) {
            return m.persistentKeepalive();
        }
        if (self.endpoint() == null && m.endpoint() == null && peer.keepalive() == 0) {
            return NAT_KEEPALIVE_SECONDS;
        }
        return peer.keepalive();
    }

    /** LAN prefixes {@code self} routes into the tunnel: those of every member site it reaches (directly or via hub). */
    public static List<String> routes(CompiledMesh mine, Node self, Nodes nodes) {
        UUID a = self.siteId();
        Set<String> out = new LinkedHashSet<>();
        UUID hub = primaryHub(mine, a, nodes);
        for (MeshSpec.Member m : mine.members()) {
            UUID c = m.siteId();
            boolean reached = mine.direct(a, c) || (hub != null && mine.viaHub(a, c));
            if (reached && nodes.router(c).isPresent()) {
                out.addAll(lan(mine, c, nodes));
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Routes of an agent on a mesh revision whose site is a member: the mesh's ({@link #routes}) plus, as in the
     * implicit mesh, the LAN prefixes of non-member sites that have a router.
     */
    public static List<String> memberRoutes(
            CompiledMesh mine, Node self, Nodes nodes, java.util.Collection<UUID> sitesWithAgents) {
        Set<String> out = new LinkedHashSet<>(routes(mine, self, nodes));
        for (UUID s : sitesWithAgents) {
            if (!mine.member(s) && !s.equals(self.siteId()) && nodes.router(s).isPresent()) {
                out.addAll(nodes.siteLan(s));
            }
        }
        return new ArrayList<>(out);
    }

    /** The LAN prefixes {@code self} serves (its site's, as the mesh routes them). */
    public static List<String> localLan(CompiledMesh mine, Node self, Nodes nodes) {
        return lan(mine, self.siteId(), nodes);
    }

    /** The site's routed prefixes under this revision: the member's own list, else the site's. */
    public static List<String> lan(CompiledMesh mine, UUID siteId, Nodes nodes) {
        MeshSpec.Member m = mine.memberOf(siteId);
        return m != null && m.lanPrefixes() != null ? m.lanPrefixes() : nodes.siteLan(siteId);
    }

    /** For a spoke: the first hub with an active router (it carries traffic to the other spokes); else null. */
    static UUID primaryHub(CompiledMesh mine, UUID spoke, Nodes nodes) {
        if (mine.topology() != Topology.HUB_AND_SPOKE || mine.hub(spoke)) {
            return null;
        }
        for (UUID h : mine.hubs()) {
            if (nodes.router(h).isPresent()) {
                return h;
            }
        }
        return null;
    }

    /**
     * Peers whose entries in others' maps may change when {@code changed} (an agent) changes, besides its own: under
     * hub-and-spoke a spoke agent's tunnel address is carried by the primary hub's router in every spoke's map.
     */
    public static List<UUID> alsoAffected(CompiledMesh mesh, Node changed, Nodes nodes) {
        if (mesh == null || mesh.topology() != Topology.HUB_AND_SPOKE || !mesh.member(changed.siteId())) {
            return List.of();
        }
        List<UUID> out = new ArrayList<>();
        for (UUID h : mesh.hubs()) {
            nodes.router(h).ifPresent(r -> out.add(r.peerId()));
        }
        return out;
    }
}
