package dev.wgmesh.controller.mesh;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A mesh as the API shows it: the latest spec revision and the revision last rolled out everywhere.
 *
 * @param revision the latest spec revision (what a plan or rollout targets)
 * @param stableRevision the revision the last completed rollout reached (0 = never rolled out)
 */
public record Mesh(
        UUID id,
        UUID networkId,
        String name,
        long revision,
        long stableRevision,
        Topology topology,
        List<UUID> hubs,
        List<MeshSpec.Member> members,
        List<MeshSpec.Link> links,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    MeshSpec spec() {
        return new MeshSpec(topology, hubs, members, links);
    }

    Map<String, Object> auditView() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("networkId", networkId.toString());
        m.put("name", name);
        m.put("revision", revision);
        m.put("topology", topology.name());
        m.put("members", members.size());
        m.put("hubs", hubs.stream().map(UUID::toString).toList());
        m.put("links", links.size());
        return m;
    }
}
