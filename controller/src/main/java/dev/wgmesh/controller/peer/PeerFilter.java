package dev.wgmesh.controller.peer;

import jakarta.persistence.criteria.Join;
import jakarta.persistence.criteria.Root;
import jakarta.persistence.criteria.Subquery;
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
            // EXISTS (not "member of", which becomes a correlated IN): PostgreSQL plans it as a semi-join driven by
            // the tag index, so the filter costs the matching rows, not a probe per peer of the network.
            spec = spec.and((r, q, cb) -> {
                Subquery<Integer> sq = q.subquery(Integer.class);
                Root<PeerEntity> p = sq.correlate(r);
                Join<PeerEntity, String> t = p.join("tags");
                return cb.exists(sq.select(cb.literal(1)).where(cb.equal(t, tag)));
            });
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
