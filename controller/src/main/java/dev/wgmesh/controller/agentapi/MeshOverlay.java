package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.agentapi.MeshView.PeerRow;
import dev.wgmesh.controller.mesh.CompiledMesh;
import dev.wgmesh.controller.mesh.MeshMaps;
import dev.wgmesh.controller.mesh.MeshMaps.Node;
import dev.wgmesh.controller.mesh.MeshSnapshot;
import dev.wgmesh.controller.mesh.MeshState;
import dev.wgmesh.controller.mesh.SitePair;
import dev.wgmesh.proto.v1.PeerConfig;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The mesh feature's say in network maps: for agent pairs a mesh governs ({@link MeshMaps#governs}), the entry and
 * the routes come from {@link MeshMaps} on the revision each agent runs; every other pair keeps {@link NetworkMaps}'
 * implicit full mesh. Holds one {@link MeshSnapshot} per network, reloaded on {@code mesh} change events (rollout
 * waves, rollbacks, key rotations, mesh deletion) from the outbox, so every replica follows the database.
 *
 * <p>Thread-safety: snapshots are immutable; the map is concurrent. Reloads run on the fan-out thread.
 */
@Component
class MeshOverlay {
    private final MeshState state;
    private final Map<UUID, MeshSnapshot> byNetwork = new ConcurrentHashMap<>();

    MeshOverlay(MeshState state) {
        this.state = state;
    }

    MeshSnapshot snapshot(UUID networkId) {
        return byNetwork.computeIfAbsent(networkId, state::load);
    }

    /** Reloads a network's mesh; returns what changed for maps. Networks not cached here are only forgotten. */
    MeshSnapshot.Change reload(UUID networkId) {
        MeshSnapshot old = byNetwork.get(networkId);
        if (old == null) {
            return new MeshSnapshot.Change(false, Set.of(), Set.of());
        }
        MeshSnapshot fresh = state.load(networkId);
        byNetwork.put(networkId, fresh);
        return fresh.since(old);
    }

    void forget(UUID networkId) {
        byNetwork.remove(networkId);
    }

    /** True when the mesh decides {@code self}'s entry for the agent {@code peer}. */
    boolean governs(MeshView view, PeerRow self, PeerRow peer) {
        if (!peer.agent()
                || self.siteId() == null
                || peer.siteId() == null
                || self.siteId().equals(peer.siteId())) {
            return false;
        }
        CompiledMesh mine = snapshot(view.network().id()).revisionOf(self.id());
        return mine != null && mine.member(self.siteId()) && mine.member(peer.siteId());
    }

    /** The entry, when {@link #governs} holds; empty when the mesh does not link the two sites. */
    Optional<ConfigEntry> entry(MeshView view, PeerRow self, PeerRow peer) {
        MeshSnapshot snap = snapshot(view.network().id());
        Nodes nodes = new Nodes(view);
        return MeshMaps.entry(
                        snap.revisionOf(self.id()),
                        snap.revisionOf(peer.id()),
                        node(view, self),
                        node(view, peer),
                        nodes,
                        snap)
                .map(e -> {
                    PeerConfig.Builder b = PeerConfig.newBuilder()
                            .setPublicKey(ByteString.copyFrom(peer.publicKey()))
                            .setName(peer.name())
                            .addAllAllowedIps(e.allowedIps())
                            .setEndpoint(e.endpoint() == null ? "" : e.endpoint())
                            .setPersistentKeepaliveSeconds(e.keepalive())
                            .setProbe(true)
                            .setProbeAddress(peer.tunnelIpv4());
                    if (e.presharedKey() != null) {
                        b.setPresharedKey(ByteString.copyFrom(e.presharedKey()));
                    }
                    return ConfigEntry.of(b.build());
                });
    }

    /**
     * Routes and local LAN prefixes of {@code self} when it runs a mesh revision its site is a member of; empty
     * otherwise (the implicit mesh's interface applies).
     */
    Optional<MeshRouting> routing(MeshView view, PeerRow self) {
        CompiledMesh mine = snapshot(view.network().id()).revisionOf(self.id());
        if (mine == null || !mine.member(self.siteId())) {
            return Optional.empty();
        }
        Nodes nodes = new Nodes(view);
        Node me = node(view, self);
        Set<UUID> sites = new HashSet<>();
        for (PeerRow p : view.peers()) {
            if (p.agent() && p.siteId() != null) {
                sites.add(p.siteId());
            }
        }
        return Optional.of(
                new MeshRouting(MeshMaps.memberRoutes(mine, me, nodes, sites), MeshMaps.localLan(mine, me, nodes)));
    }

    record MeshRouting(List<String> routes, List<String> localLanPrefixes) {}

    /**
     * Agents whose entries in other maps change with {@code change}: agents whose revision changed, the agents of
     * both sites of a re-keyed link, and under hub-and-spoke the hubs' routers (they carry spokes' addresses).
     */
    Set<UUID> affected(MeshView view, MeshSnapshot.Change change) {
        Set<UUID> out = new HashSet<>(change.peers());
        for (SitePair pair : change.sitePairs()) {
            view.agentsOfSite(pair.low()).forEach(p -> out.add(p.id()));
            view.agentsOfSite(pair.high()).forEach(p -> out.add(p.id()));
        }
        return out;
    }

    /** Peers besides {@code changed} whose entries depend on it (hub routers under hub-and-spoke). */
    List<UUID> alsoAffected(MeshView view, PeerRow changed) {
        if (!changed.agent() || changed.siteId() == null) {
            return List.of();
        }
        MeshSnapshot snap = snapshot(view.network().id());
        Set<CompiledMesh> revisions = new HashSet<>();
        for (PeerRow p : view.peers()) {
            CompiledMesh c = snap.revisionOf(p.id());
            if (c != null) {
                revisions.add(c);
            }
        }
        Set<UUID> out = new HashSet<>();
        Nodes nodes = new Nodes(view);
        Node n = node(view, changed);
        revisions.forEach(c -> out.addAll(MeshMaps.alsoAffected(c, n, nodes)));
        return List.copyOf(out);
    }

    private static Node node(MeshView view, PeerRow p) {
        return new Node(
                p.id(),
                p.siteId(),
                p.name(),
                p.publicKey(),
                p.tunnelIpv4(),
                p.hostPrefixes(),
                p.endpoint(),
                p.persistentKeepalive() != null
                        ? p.persistentKeepalive()
                        : view.network().persistentKeepalive());
    }

    /** The view's live facts for {@link MeshMaps} (active agents only, as {@link NetworkMaps} uses them). */
    private record Nodes(MeshView view, Instant now) implements MeshMaps.Nodes {
        Nodes(MeshView view) {
            this(view, Instant.now());
        }

        @Override
        public Optional<Node> router(UUID siteId) {
            return view.siteRouter(siteId, now).map(p -> node(view, p));
        }

        @Override
        public List<Node> agents(UUID siteId) {
            return view.agentsOfSite(siteId).stream()
                    .filter(p -> p.active(now))
                    .map(p -> node(view, p))
                    .toList();
        }

        @Override
        public List<String> siteLan(UUID siteId) {
            return view.site(siteId).map(MeshView.SiteRow::lanPrefixes).orElse(List.of());
        }
    }
}
