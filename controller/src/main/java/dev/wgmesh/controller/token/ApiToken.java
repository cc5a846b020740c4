package dev.wgmesh.controller.token;

import java.time.Instant;
import java.util.UUID;

/** An API token row; the REST view of it (never the hash, never the secret). */
public record ApiToken(
        UUID id,
        String name,
        TokenScope scope,
        String createdBy,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt,
        Instant lastUsedAt) {

    /** Usable for authentication at {@code now}. */
    public boolean isActive(Instant now) {
        return revokedAt == null && now.isBefore(expiresAt);
    }
}
