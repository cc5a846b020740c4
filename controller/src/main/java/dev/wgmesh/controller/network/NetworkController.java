package dev.wgmesh.controller.network;

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
@RequestMapping("/api/v1/networks")
class NetworkController {
    private final NetworkService networks;

    NetworkController(NetworkService networks) {
        this.networks = networks;
    }

    @PostMapping
    ResponseEntity<Network> create(@RequestBody NetworkRequest request) {
        Network n = networks.create(request);
        return ResponseEntity.created(URI.create("/api/v1/networks/" + n.id()))
                .eTag(ETags.of(n.version()))
                .body(n);
    }

    @GetMapping
    PageResponse<Network> list(
            @RequestParam(required = false) String name, @PageableDefault(size = 50, sort = "name") Pageable pageable) {
        return networks.list(name, SortWhitelist.check(pageable, "name", "createdAt", "updatedAt"));
    }

    @GetMapping("/{id}")
    ResponseEntity<Network> get(@PathVariable UUID id) {
        Network n = networks.get(id);
        return ResponseEntity.ok().eTag(ETags.of(n.version())).body(n);
    }

    @PutMapping("/{id}")
    ResponseEntity<Network> update(
            @PathVariable UUID id,
            @RequestBody NetworkRequest request,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Network n = networks.update(id, request, ifMatch);
        return ResponseEntity.ok().eTag(ETags.of(n.version())).body(n);
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(
            @PathVariable UUID id, @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        networks.delete(id, ifMatch);
        return ResponseEntity.noContent().build();
    }
}
