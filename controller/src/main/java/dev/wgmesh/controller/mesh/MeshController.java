package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.common.ETags;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/networks/{n}/meshes}: CRUD, plan, link key rotation (API.md "Meshes and rollouts"). */
@RestController
@RequestMapping("/api/v1/networks/{networkId}/meshes")
class MeshController {
    private final MeshService meshes;
    private final MeshPlanner planner;

    MeshController(MeshService meshes, MeshPlanner planner) {
        this.meshes = meshes;
        this.planner = planner;
    }

    /** Body of the key rotation. */
    record RotateKeyRequest(UUID siteA, UUID siteB) {}

    @PostMapping
    ResponseEntity<Mesh> create(@PathVariable UUID networkId, @RequestBody MeshRequest request) {
        Mesh m = meshes.create(networkId, request);
        return ResponseEntity.created(URI.create("/api/v1/networks/" + networkId + "/meshes/" + m.id()))
                .eTag(ETags.of(m.version()))
                .body(m);
    }

    @GetMapping
    Map<String, List<Mesh>> list(@PathVariable UUID networkId) {
        return Map.of("items", meshes.list(networkId));
    }

    @GetMapping("/{meshId}")
    ResponseEntity<Mesh> get(@PathVariable UUID networkId, @PathVariable UUID meshId) {
        Mesh m = meshes.get(networkId, meshId);
        return ResponseEntity.ok().eTag(ETags.of(m.version())).body(m);
    }

    @PutMapping("/{meshId}")
    ResponseEntity<Mesh> update(
            @PathVariable UUID networkId,
            @PathVariable UUID meshId,
            @RequestBody MeshRequest request,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Mesh m = meshes.update(networkId, meshId, request, ifMatch);
        return ResponseEntity.ok().eTag(ETags.of(m.version())).body(m);
    }

    @DeleteMapping("/{meshId}")
    ResponseEntity<Void> delete(
            @PathVariable UUID networkId,
            @PathVariable UUID meshId,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        meshes.delete(networkId, meshId, ifMatch);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{meshId}/plan")
    Plan plan(@PathVariable UUID networkId, @PathVariable UUID meshId) {
        return planner.plan(networkId, meshId);
    }

    @PostMapping("/{meshId}/links/rotate-key")
    MeshService.LinkKey rotateKey(
            @PathVariable UUID networkId, @PathVariable UUID meshId, @RequestBody RotateKeyRequest request) {
        return meshes.rotateLinkKey(networkId, meshId, request.siteA(), request.siteB());
    }
}
