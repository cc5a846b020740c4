package dev.wgmesh.controller.peer;

import dev.wgmesh.controller.common.ETags;
import dev.wgmesh.controller.common.PageResponse;
import dev.wgmesh.controller.common.SortWhitelist;
import java.net.URI;
import java.util.UUID;
import org.springframework.data.domain.Pageable;
import org.springframework.data.web.PageableDefault;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/networks/{networkId}/peers")
class PeerController {
    private final PeerService peers;

    PeerController(PeerService peers) {
        this.peers = peers;
    }

    @PostMapping
    ResponseEntity<Peer> create(@PathVariable UUID networkId, @RequestBody PeerRequest request) {
        Peer p = peers.create(networkId, request);
        return ResponseEntity.created(URI.create("/api/v1/networks/" + networkId + "/peers/" + p.id()))
                .eTag(ETags.of(p.version()))
                .body(p);
    }

    /** Filters: {@code name} (contains, case-insensitive), {@code tag}, {@code kind}, {@code enabled}, {@code siteId}. */
    @GetMapping
    PageResponse<Peer> list(
            @PathVariable UUID networkId,
            @RequestParam(required = false) String name,
            @RequestParam(required = false) String tag,
            @RequestParam(required = false) PeerKind kind,
            @RequestParam(required = false) Boolean enabled,
            @RequestParam(required = false) UUID siteId,
            @PageableDefault(size = 50, sort = "name") Pageable pageable) {
        return peers.list(
                networkId,
                new PeerFilter(name, tag, kind, enabled, siteId),
                SortWhitelist.check(pageable, "name", "kind", "createdAt", "updatedAt", "expiresAt"));
    }

    @GetMapping("/{peerId}")
    ResponseEntity<Peer> get(@PathVariable UUID networkId, @PathVariable UUID peerId) {
        Peer p = peers.get(networkId, peerId);
        return ResponseEntity.ok().eTag(ETags.of(p.version())).body(p);
    }

    @PutMapping("/{peerId}")
    ResponseEntity<Peer> update(
            @PathVariable UUID networkId,
            @PathVariable UUID peerId,
            @RequestBody PeerRequest request,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Peer p = peers.update(networkId, peerId, request, ifMatch);
        return ResponseEntity.ok().eTag(ETags.of(p.version())).body(p);
    }

    @DeleteMapping("/{peerId}")
    ResponseEntity<Void> delete(
            @PathVariable UUID networkId,
            @PathVariable UUID peerId,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        peers.delete(networkId, peerId, ifMatch);
        return ResponseEntity.noContent().build();
    }
}
