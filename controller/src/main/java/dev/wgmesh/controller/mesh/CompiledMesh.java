package dev.wgmesh.controller.mesh;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One revision of a mesh spec prepared for constant-time questions (is a site a member, is a pair linked, which
 * hubs). Immutable and thread-safe; cached per (mesh, revision) since revisions never change.
 */
public final class CompiledMesh {
    private final long revision;
    private final MeshSpec spec;
    private final Map<UUID, MeshSpec.Member> members = new HashMap<>();
    private final Set<UUID> hubs = new LinkedHashSet<>();
    private final Set<SitePair> links = new HashSet<>();

    public CompiledMesh(long revision, MeshSpec spec) {
        this.revision = revision;
        this.spec = spec;
        spec.members().forEach(m -> members.put(m.siteId(), m));
        hubs.addAll(spec.hubs());
        spec.links().forEach(l -> links.add(SitePair.of(l.siteA(), l.siteB())));
    }

    public long revision() {
        return revision;
    }

    public MeshSpec spec() {
        return spec;
    }

    public Topology topology() {
        return spec.topology();
    }

    public boolean member(UUID siteId) {
        return siteId != null && members.containsKey(siteId);
    }

    /** The member's settings; null when the site is no member. */
    public MeshSpec.Member memberOf(UUID siteId) {
        return siteId == null ? null : members.get(siteId);
    }

    public boolean hub(UUID siteId) {
        return hubs.contains(siteId);
    }

    /** Hubs in order of preference. */
    public List<UUID> hubs() {
        return spec.hubs();
    }

    public List<MeshSpec.Member> members() {
        return spec.members();
    }

    /** True when agents of the two (distinct, member) sites have WireGuard peers for each other. */
    public boolean direct(UUID a, UUID b) {
        if (!member(a) || !member(b) || a.equals(b)) {
            return false;
        }
        return switch (spec.topology()) {
            case FULL_MESH -> true;
            case HUB_AND_SPOKE -> hub(a) || hub(b);
            case EXPLICIT -> links.contains(SitePair.of(a, b));
        };
    }

    /** True when traffic between the two member sites goes through a hub (two spokes of a hub-and-spoke mesh). */
    public boolean viaHub(UUID a, UUID b) {
        return spec.topology() == Topology.HUB_AND_SPOKE
                && member(a)
                && member(b)
                && !a.equals(b)
                && !hub(a)
                && !hub(b);
    }

    /** Every pair of member sites with a direct link. */
    public List<SitePair> directLinks() {
        List<UUID> ids = spec.members().stream().map(MeshSpec.Member::siteId).toList();
        List<SitePair> out = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                if (direct(ids.get(i), ids.get(j))) {
                    out.add(SitePair.of(ids.get(i), ids.get(j)));
                }
            }
        }
        return out;
    }
}
