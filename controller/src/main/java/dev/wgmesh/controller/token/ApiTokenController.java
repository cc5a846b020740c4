package dev.wgmesh.controller.token;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/tokens}: ADMIN only (enforced in the security filter chain). */
@RestController
@RequestMapping("/api/v1/tokens")
class ApiTokenController {
    private final ApiTokenService tokens;

    ApiTokenController(ApiTokenService tokens) {
        this.tokens = tokens;
    }

    /** @param expiresAt optional; default 90 days from now, at most 730 */
    record CreateTokenRequest(
            @NotBlank @Size(max = 64) String name, @NotNull TokenScope scope, Instant expiresAt) {}

    @GetMapping
    List<ApiToken> list() {
        return tokens.list();
    }

    @PostMapping
    ResponseEntity<CreatedApiToken> create(@Valid @RequestBody CreateTokenRequest request, Authentication caller) {
        CreatedApiToken created = tokens.create(request.name(), request.scope(), request.expiresAt(), caller.getName());
        return ResponseEntity.created(
                        URI.create("/api/v1/tokens/" + created.token().id()))
                .body(created);
    }

    /** Revokes (the row stays, with revokedAt set, for the audit trail). */
    @DeleteMapping("/{id}")
    ApiToken revoke(@PathVariable UUID id) {
        return tokens.revoke(id);
    }
}
