package dev.wgmesh.controller.audit;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** One audit log entry as the API shows it; {@code details} is {@code {"before": ..., "after": ...}}. */
public record AuditEvent(
        long id,
        Instant occurredAt,
        String actor,
        String action,
        String targetType,
        String targetId,
        JsonNode details) {}
