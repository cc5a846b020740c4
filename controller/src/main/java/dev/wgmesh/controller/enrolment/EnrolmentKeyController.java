package dev.wgmesh.controller.enrolment;

import dev.wgmesh.controller.security.SecurityActorProvider;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/networks/{networkId}/enrolment-keys}: VIEWER may list, ADMIN may create and revoke. */
@RestController
@RequestMapping("/api/v1/networks/{networkId}/enrolment-keys")
class EnrolmentKeyController {
    private final EnrolmentKeyService keys;
    private final SecurityActorProvider actor;

    EnrolmentKeyController(EnrolmentKeyService keys, SecurityActorProvider actor) {
        this.keys = keys;
        this.actor = actor;
    }

    /** All fields optional: the default is a one-shot key valid for 7 days. */
    record CreateKeyRequest(
            @Size(max = 64) String name,
            Boolean reusable,
            @Min(1) Integer usageLimit,
            Instant expiresAt,
            UUID siteId) {}

    @GetMapping
    List<EnrolmentKey> list(@PathVariable UUID networkId) {
        return keys.list(networkId);
    }

    @PostMapping
    ResponseEntity<CreatedEnrolmentKey> create(
            @PathVariable UUID networkId, @Valid @RequestBody CreateKeyRequest request) {
        var spec = new EnrolmentKeyService.NewKey(
                request.name(),
                Boolean.TRUE.equals(request.reusable()),
                request.usageLimit(),
                request.expiresAt(),
                request.siteId());
        CreatedEnrolmentKey created = keys.create(networkId, spec, actor.currentActor());
        return ResponseEntity.created(URI.create("/api/v1/networks/" + networkId + "/enrolment-keys/"
                        + created.key().id()))
                .body(created);
    }

    /** Revokes (the row stays, with revokedAt set). */
    @DeleteMapping("/{keyId}")
    EnrolmentKey revoke(@PathVariable UUID networkId, @PathVariable UUID keyId) {
        return keys.revoke(networkId, keyId);
    }
}
