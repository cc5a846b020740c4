package dev.wgmesh.controller.mesh;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What one network's mesh looks like right now, for computing maps: which revision each agent runs, those
 * revisions compiled, and the links' key generations. Immutable apart from a cache of derived keys.
 *
 * <p>Link preshared keys are derived, not stored: {@code HMAC-SHA256(mesh secret, "wgmesh-link-psk-v1:" low ":" high
 * ":" generation)}. The mesh secret is sealed at rest under the master key; an agent only ever sees the derived keys
 * of its own links, and HMAC being one-way, a leaked link key exposes no other link. Rotating a link bumps its
 * generation.
 */
public final class MeshSnapshot implements MeshMaps.LinkKeys {
    public static final MeshSnapshot NONE = new MeshSnapshot(null, 0, Map.of(), Map.of(), Map.of(), null);

    private final UUID meshId;
    private final long stable;
    private final Map<UUID, Long> assigned;
    private final Map<Long, CompiledMesh> revisions;
    private final Map<SitePair, Integer> generations;
    private final byte[] secret;
    private final Map<SitePair, byte[]> derived = new ConcurrentHashMap<>();

    MeshSnapshot(
            UUID meshId,
            long stable,
            Map<UUID, Long> assigned,
            Map<Long, CompiledMesh> revisions,
            Map<SitePair, Integer> generations,
            byte[] secret) {
        this.meshId = meshId;
        this.stable = stable;
        this.assigned = Map.copyOf(assigned);
        this.revisions = Map.copyOf(revisions);
        this.generations = Map.copyOf(generations);
        this.secret = secret;
    }

    public UUID meshId() {
        return meshId;
    }

    public long stableRevision() {
        return stable;
    }

    /** The revision number the agent peer runs (0 = none: the implicit full mesh). */
    public long revisionNumberOf(UUID peerId) {
        if (meshId == null) {
            return 0;
        }
        Long r = assigned.get(peerId);
        return r != null ? r : stable;
    }

    /** The compiled revision the agent peer runs, or null. */
    public CompiledMesh revisionOf(UUID peerId) {
        long r = revisionNumberOf(peerId);
        return r == 0 ? null : revisions.get(r);
    }

    @Override
    public byte[] psk(UUID siteA, UUID siteB) {
        SitePair pair = SitePair.of(siteA, siteB);
        return derived.computeIfAbsent(pair, p -> derive(secret, p, generations.getOrDefault(p, 0)));
    }

    public int generation(SitePair pair) {
        return generations.getOrDefault(pair, 0);
    }

    static byte[] derive(byte[] secret, SitePair p, int generation) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(("wgmesh-link-psk-v1:" + p.low() + ":" + p.high() + ":" + generation)
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", ex);
        }
    }

    /**
     * What differs from {@code older} for maps.
     *
     * @param all every map of the network may change (another mesh, another stable revision)
     * @param peers agents whose revision changed (their whole map, and their entry in others' maps)
     * @param sitePairs links whose key changed (the entries between agents of the two sites)
     */
    public record Change(boolean all, Set<UUID> peers, Set<SitePair> sitePairs) {
        public boolean none() {
            return !all && peers.isEmpty() && sitePairs.isEmpty();
        }
    }

    public Change since(MeshSnapshot older) {
        if (!Objects.equals(meshId, older.meshId) || stable != older.stable) {
            return new Change(true, Set.of(), Set.of());
        }
        Set<UUID> peers = new HashSet<>();
        Set<UUID> ids = new HashSet<>(assigned.keySet());
        ids.addAll(older.assigned.keySet());
        for (UUID id : ids) {
            if (revisionNumberOf(id) != older.revisionNumberOf(id)) {
                peers.add(id);
            }
        }
        Set<SitePair> pairs = new HashSet<>();
        Set<SitePair> keys = new HashSet<>(generations.keySet());
        keys.addAll(older.generations.keySet());
        for (SitePair p : keys) {
            if (generation(p) != older.generation(p)) {
                pairs.add(p);
            }
        }
        return new Change(false, peers, pairs);
    }
}
