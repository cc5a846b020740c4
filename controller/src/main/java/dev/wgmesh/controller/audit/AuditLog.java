package dev.wgmesh.controller.audit;

import dev.wgmesh.controller.common.PageResponse;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/**
 * Records who changed what. {@link #record} joins the caller's transaction, so an audit entry commits exactly when the
 * change does. Callers pass summaries they built from non-secret fields only (each feature's {@code auditView()}); the
 * log never sees an entity.
 */
@Service
public class AuditLog {
    private static final int MAX_DETAILS = 8000;

    private final AuditRepository repository;
    private final ActorProvider actors;
    private final ObjectMapper json;
    private final Clock clock = Clock.systemUTC();
    private final ApplicationEventPublisher events;

    public AuditLog(
            AuditRepository repository, ActorProvider actors, ObjectMapper json, ApplicationEventPublisher events) {
        this.repository = repository;
        this.actors = actors;
        this.json = json;
        this.events = events;
    }

    /**
     * @param action dotted verb, e.g. {@code peer.created}
     * @param before summary before the change, or null for a creation
     * @param after summary after the change, or null for a deletion
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public void record(String action, String targetType, Object targetId, Map<String, ?> before, Map<String, ?> after) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("before", before);
        details.put("after", after);
        String text = json.writeValueAsString(details);
        if (text.length() > MAX_DETAILS) {
            text = json.writeValueAsString(Map.of("truncated", true, "action", action));
        }
        repository.save(new AuditEventEntity(
                clock.instant(), actors.currentActor(), action, targetType, String.valueOf(targetId), text));
        // Synchronous listeners run inside this transaction (the agent feature's change outbox).
        events.publishEvent(new AuditRecorded(action, targetType, String.valueOf(targetId), before, after));
    }

    @Transactional(readOnly = true)
    public PageResponse<AuditEvent> list(String targetType, String targetId, String actor, Pageable pageable) {
        Specification<AuditEventEntity> spec = Specification.unrestricted();
        if (targetType != null) {
            spec = spec.and((r, q, cb) -> cb.equal(r.get("targetType"), targetType));
        }
        if (targetId != null) {
            spec = spec.and((r, q, cb) -> cb.equal(r.get("targetId"), targetId));
        }
        if (actor != null) {
            spec = spec.and((r, q, cb) -> cb.equal(r.get("actor"), actor));
        }
        return PageResponse.of(repository.findAll(spec, pageable), this::toEvent);
    }

    private AuditEvent toEvent(AuditEventEntity e) {
        return new AuditEvent(
                e.id(),
                e.occurredAt(),
                e.actor(),
                e.action(),
                e.targetType(),
                e.targetId(),
                json.readTree(e.details()));
    }
}
