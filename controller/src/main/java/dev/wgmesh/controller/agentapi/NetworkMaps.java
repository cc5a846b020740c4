package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.agentapi.MeshView.PeerRow;
import dev.wgmesh.controller.keys.PresharedKeys;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * What one agent runs, derived from a {@link MeshView} (SYNC-CONVENTIONS.md; ARCHITECTURE.md "network map"):
 *
 * <ul>
 *   <li>Interface: its tunnel addresses as host prefixes, its listen port, the network MTU, routes = the LAN prefixes
 *       of the other sites (those with an active router agent), local LAN prefixes = its own site's.
 *   <li>Peers: every other active AGENT peer (endpoint, keepalive = the peer's or the network's, allowed IPs = its
 *       tunnel addresses plus its site's LAN prefixes when it is that site's router and the site is not ours,
 *       latency probes to its IPv4 tunnel address); and, when this agent is reachable (has an endpoint), every active
 *       DEVICE peer with the link's preshared key (devices connect to reachable agents, see the config export).
 *   <li>A disabled or expired agent gets no peers.
 *   <li>In a network with a mesh, {@link MeshOverlay} decides the entries between agents of member sites and the
 *       routes of agents on a mesh revision.
 * </ul>
 */
@Component
class NetworkMaps {
    private final PresharedKeys presharedKeys;
    private final MeshOverlay mesh;
    private final Clock clock = Clock.systemUTC();
    /** Preshared keys by link, so a recomputation never waits on the database for a key it already read. */
    private final Map<String, ByteString> pskCache = new ConcurrentHashMap<>();

    NetworkMaps(PresharedKeys presharedKeys, MeshOverlay mesh) {
        this.presharedKeys = presharedKeys;
        this.mesh = mesh;
    }

    /** The mesh feature's part of the maps (agent-to-agent entries of networks with a mesh). */
    MeshOverlay mesh() {
        return mesh;
    }

    Instant now() {
        return clock.instant();
    }

    InterfaceConfig interfaceOf(MeshView view, PeerRow self) {
        Instant now = now();
        InterfaceConfig.Builder b = InterfaceConfig.newBuilder()
                .addAllAddresses(self.hostPrefixes())
                .setListenPort(self.listenPort() == null ? 0 : self.listenPort())
                .setMtu(view.network().mtu());
        Optional<MeshOverlay.MeshRouting> meshed = mesh.routing(view, self);
        if (meshed.isPresent()) {
            return b.addAllLocalLanPrefixes(meshed.get().localLanPrefixes())
                    .addAllRoutes(meshed.get().routes())
                    .build();
        }
        view.site(self.siteId()).ifPresent(s -> b.addAllLocalLanPrefixes(s.lanPrefixes()));
        Set<UUID> routed = new HashSet<>();
        for (PeerRow p : view.peers()) {
            if (p.agent() && p.siteId() != null && !p.siteId().equals(self.siteId()) && routed.add(p.siteId())) {
                if (view.siteRouter(p.siteId(), now).isPresent()) {
                    view.site(p.siteId()).ifPresent(s -> b.addAllRoutes(s.lanPrefixes()));
                }
            }
        }
        return b.build();
    }

    /** The entry for {@code peer} in {@code self}'s map, or empty when it does not belong there. */
    Optional<ConfigEntry> entry(MeshView view, PeerRow self, PeerRow peer) {
        Instant now = now();
        if (peer.id().equals(self.id()) || !self.active(now) || !peer.active(now)) {
            return Optional.empty();
        }
        if (mesh.governs(view, self, peer)) {
            return mesh.entry(view, self, peer);
        }
        PeerConfig.Builder b = PeerConfig.newBuilder()
                .setPublicKey(ByteString.copyFrom(peer.publicKey()))
                .setName(peer.name())
                .addAllAllowedIps(peer.hostPrefixes());
        if (peer.agent()) {
            b.setEndpoint(peer.endpoint() == null ? "" : peer.endpoint())
                    .setPersistentKeepaliveSeconds(keepalive(view, peer))
                    .setProbe(true)
                    .setProbeAddress(peer.tunnelIpv4());
            if (peer.siteId() != null && !peer.siteId().equals(self.siteId())) {
                boolean router = view.siteRouter(peer.siteId(), now)
                        .map(r -> r.id().equals(peer.id()))
                        .orElse(false);
                if (router) {
                    view.site(peer.siteId()).ifPresent(s -> b.addAllAllowedIps(s.lanPrefixes()));
                }
            }
        } else {
            if (self.endpoint() == null) {
                return Optional.empty(); // devices only connect to reachable agents
            }
            b.setPresharedKey(psk(self.id(), peer.id()));
            if (peer.endpoint() != null) {
                b.setEndpoint(peer.endpoint()).setPersistentKeepaliveSeconds(keepalive(view, peer));
            }
        }
        return Optional.of(ConfigEntry.of(b.build()));
    }

    /** Every entry of {@code self}'s map. */
    List<ConfigEntry> entries(MeshView view, PeerRow self) {
        List<ConfigEntry> out = new ArrayList<>();
        for (PeerRow p : view.peers()) {
            entry(view, self, p).ifPresent(out::add);
        }
        return out;
    }

    private static int keepalive(MeshView view, PeerRow p) {
        return p.persistentKeepalive() != null
                ? p.persistentKeepalive()
                : view.network().persistentKeepalive();
    }

    private ByteString psk(UUID a, UUID b) {
        String link = a.compareTo(b) < 0 ? a + ":" + b : b + ":" + a;
        return pskCache.computeIfAbsent(
                link,
                k -> ByteString.copyFrom(
                        Base64.getDecoder().decode(presharedKeys.forLink(a, b).reveal())));
    }

    /** Forgets cached keys of a deleted peer. */
    void forgetPeer(UUID peerId) {
        String id = peerId.toString();
        pskCache.keySet().removeIf(k -> k.contains(id));
    }
}
