package dev.wgmesh.controller.agentapi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This replica's in-memory picture of one network: its settings, sites and peers, as far as network maps need them.
 * Loaded once when the first agent of the network connects here; afterwards each change event reloads only the row
 * it names ({@link MeshLoader}), so a change costs what it touches.
 *
 * <p>Thread-safety: mutated only by the fan-out thread; read by it as well (sessions read it under their own lock,
 * on that same thread, or while building a snapshot on a gRPC thread — rows are immutable records, maps concurrent).
 */
final class MeshView {
    /** The settings of the network that maps use. */
    record NetRow(UUID id, int mtu, int persistentKeepalive) {}

    /** A site: its canonical LAN prefixes. */
    record SiteRow(UUID id, List<String> lanPrefixes) {}

    /**
     * A peer row.
     *
     * @param publicKey raw 32 bytes
     * @param hostPrefixes tunnel addresses as host prefixes (/32, /128), canonical text
     * @param enabled the peer is enabled and, for an agent peer, its agent is not revoked ({@link MeshLoader})
     */
    record PeerRow(
            UUID id,
            UUID siteId,
            String name,
            boolean agent,
            byte[] publicKey,
            String tunnelIpv4,
            List<String> hostPrefixes,
            String endpoint,
            Integer listenPort,
            Integer persistentKeepalive,
            boolean enabled,
            Instant expiresAt,
            Instant createdAt) {
        boolean active(Instant now) {
            return enabled && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    private volatile NetRow network;
    private final Map<UUID, SiteRow> sites = new ConcurrentHashMap<>();
    private final Map<UUID, PeerRow> peers = new ConcurrentHashMap<>();
    private final Map<com.google.protobuf.ByteString, UUID> byKey = new ConcurrentHashMap<>();

    MeshView(NetRow network) {
        this.network = network;
    }

    NetRow network() {
        return network;
    }

    void network(NetRow n) {
        this.network = n;
    }

    Optional<SiteRow> site(UUID id) {
        return id == null ? Optional.empty() : Optional.ofNullable(sites.get(id));
    }

    void putSite(SiteRow s) {
        sites.put(s.id(), s);
    }

    void removeSite(UUID id) {
        sites.remove(id);
    }

    Optional<PeerRow> peer(UUID id) {
        return Optional.ofNullable(peers.get(id));
    }

    /** @return the row it replaced, or null */
    PeerRow putPeer(PeerRow p) {
        byKey.put(com.google.protobuf.ByteString.copyFrom(p.publicKey()), p.id());
        return peers.put(p.id(), p);
    }

    PeerRow removePeer(UUID id) {
        PeerRow old = peers.remove(id);
        if (old != null) {
            byKey.remove(com.google.protobuf.ByteString.copyFrom(old.publicKey()));
        }
        return old;
    }

    /** The peer with this public key (stats name links by key). */
    Optional<UUID> peerIdByKey(com.google.protobuf.ByteString publicKey) {
        return Optional.ofNullable(byKey.get(publicKey));
    }

    Collection<PeerRow> peers() {
        return peers.values();
    }

    /**
     * The agent that routes a site's LAN prefixes: the oldest active AGENT peer of the site (WireGuard cannot give one
     * prefix to two peers of an interface; the oldest keeps the role, so a new agent never grabs it).
     */
    Optional<PeerRow> siteRouter(UUID siteId, Instant now) {
        if (siteId == null) {
            return Optional.empty();
        }
        return peers.values().stream()
                .filter(p -> p.agent() && siteId.equals(p.siteId()) && p.active(now))
                .min(Comparator.comparing(PeerRow::createdAt).thenComparing(PeerRow::id));
    }

    /** Active agent peers of a site. */
    List<PeerRow> agentsOfSite(UUID siteId) {
        List<PeerRow> out = new ArrayList<>();
        for (PeerRow p : peers.values()) {
            if (p.agent() && siteId != null && siteId.equals(p.siteId())) {
                out.add(p);
            }
        }
        return out;
    }
}
