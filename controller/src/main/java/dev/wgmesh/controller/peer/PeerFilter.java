package dev.wgmesh.controller.peer;

import java.util.Locale;
import java.util.UUID;
import org.springframework.data.jpa.domain.Specification;

/** Query filters of the peer list; null fields do not filter. */
public record PeerFilter(String nameContains, String tag, PeerKind kind, Boolean enabled, UUID siteId) {

    Specification<PeerEntity> toSpecification(UUID networkId) {
        Specification<PeerEntity> spec = (r, q, cb) -> cb.equal(r.get("networkId"), networkId);
        if (nameContains != null && !nameContains.isBlank()) {
            String pattern = "%" + escapeLike(nameContains.toLowerCase(Locale.ROOT)) + "%";
            spec = spec.and((r, q, cb) -> cb.like(cb.lower(r.get("name")), pattern, '\\'));
        }
        if (tag != null && !tag.isBlank()) {
            spec = spec.and((r, q, cb) -> cb.isMember(tag, r.get("tags")));
        }
        if (kind != null) {
            spec = spec.and((r, q, cb) -> cb.equal(r.get("kind"), kind));
        }
        if (enabled != null) {
            spec = spec.and((r, q, cb) -> cb.equal(r.get("enabled"), enabled));
        }
        if (siteId != null) {
            spec = spec.and((r, q, cb) -> cb.equal(r.get("siteId"), siteId));
        }
        return spec;
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
