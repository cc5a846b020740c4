package dev.wgmesh.controller.enrolment;

import java.time.Instant;
import java.util.UUID;

/**
 * An enrolment key as the API shows it (never the secret or its hash).
 *
 * @param usageLimit null = unlimited (reusable keys only); 1 for one-shot keys
 */
public record EnrolmentKey(
        UUID id,
        UUID networkId,
        UUID siteId,
        String name,
        boolean reusable,
        Integer usageLimit,
        int useCount,
        String createdBy,
        Instant createdAt,
        Instant expiresAt,
        Instant revokedAt,
        Instant lastUsedAt) {}
