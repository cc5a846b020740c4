package dev.wgmesh.controller.audit;

import dev.wgmesh.controller.common.PageResponse;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.data.web.PageableDefault;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/audit")
class AuditController {
    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    /** Newest first by default; filter by target and actor. */
    @GetMapping
    PageResponse<AuditEvent> list(
            @RequestParam(required = false) String targetType,
            @RequestParam(required = false) String targetId,
            @RequestParam(required = false) String actor,
            @PageableDefault(size = 50, sort = "id", direction = Sort.Direction.DESC) Pageable pageable) {
        return audit.list(
                targetType,
                targetId,
                actor,
                dev.wgmesh.controller.common.SortWhitelist.check(pageable, "id", "occurredAt", "action"));
    }
}
