package dev.wgmesh.controller.audit;

import java.util.Map;

/**
 * Published by {@link AuditLog#record} inside the transaction of the change it records, so a synchronous listener
 * can write derived rows (the agent feature's change outbox) that commit or roll back with the change.
 */
public record AuditRecorded(
        String action, String targetType, String targetId, Map<String, ?> before, Map<String, ?> after) {}
