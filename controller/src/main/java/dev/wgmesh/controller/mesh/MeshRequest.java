package dev.wgmesh.controller.mesh;

import java.util.List;
import java.util.UUID;

/** Body of {@code POST} and {@code PUT .../meshes}; see {@link MeshSpec} for the fields. */
public record MeshRequest(
        String name, Topology topology, List<UUID> hubs, List<MeshSpec.Member> members, List<MeshSpec.Link> links) {}
