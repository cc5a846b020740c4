package dev.wgmesh.controller.site;

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
@RequestMapping("/api/v1/networks/{networkId}/sites")
class SiteController {
    private final SiteService sites;

    SiteController(SiteService sites) {
        this.sites = sites;
    }

    @PostMapping
    ResponseEntity<Site> create(@PathVariable UUID networkId, @RequestBody SiteRequest request) {
        Site s = sites.create(networkId, request);
        return ResponseEntity.created(URI.create("/api/v1/networks/" + networkId + "/sites/" + s.id()))
                .eTag(ETags.of(s.version()))
                .body(s);
    }

    @GetMapping
    PageResponse<Site> list(
            @PathVariable UUID networkId,
            @RequestParam(required = false) String name,
            @PageableDefault(size = 50, sort = "name") Pageable pageable) {
        return sites.list(networkId, name, SortWhitelist.check(pageable, "name", "createdAt", "updatedAt"));
    }

    @GetMapping("/{siteId}")
    ResponseEntity<Site> get(@PathVariable UUID networkId, @PathVariable UUID siteId) {
        Site s = sites.get(networkId, siteId);
        return ResponseEntity.ok().eTag(ETags.of(s.version())).body(s);
    }

    @PutMapping("/{siteId}")
    ResponseEntity<Site> update(
            @PathVariable UUID networkId,
            @PathVariable UUID siteId,
            @RequestBody SiteRequest request,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        Site s = sites.update(networkId, siteId, request, ifMatch);
        return ResponseEntity.ok().eTag(ETags.of(s.version())).body(s);
    }

    @DeleteMapping("/{siteId}")
    ResponseEntity<Void> delete(
            @PathVariable UUID networkId,
            @PathVariable UUID siteId,
            @RequestHeader(name = "If-Match", required = false) String ifMatch) {
        sites.delete(networkId, siteId, ifMatch);
        return ResponseEntity.noContent().build();
    }
}
