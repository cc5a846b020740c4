package dev.wgmesh.controller.site;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.Constraints;
import dev.wgmesh.controller.common.ETags;
import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.Names;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.common.PageResponse;
import dev.wgmesh.controller.ipam.Cidr;
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.network.NetworkService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sites and their LAN prefixes. Every write locks the network row first, so the overlap check and the write are
 * atomic with respect to other site writes in the same network, on this replica or any other.
 */
@Service
public class SiteService {
    static final String TARGET = "site";
    static final int MAX_PREFIXES = 64;

    private final SiteRepository repository;
    private final NetworkService networks;
    private final AuditLog audit;
    private final JdbcTemplate jdbc;
    private final Clock clock = Clock.systemUTC();

    SiteService(SiteRepository repository, NetworkService networks, AuditLog audit, JdbcTemplate jdbc) {
        this.repository = repository;
        this.networks = networks;
        this.audit = audit;
        this.jdbc = jdbc;
    }

    @Transactional
    public Site create(UUID networkId, SiteRequest request) {
        List<Cidr> prefixes = validate(request);
        Network network = networks.lockForUpdate(networkId);
        checkOverlaps(network, prefixes, null);
        SiteEntity e = new SiteEntity(UUID.randomUUID(), networkId, clock.instant());
        e.apply(request.name(), prefixes.stream().map(Cidr::toString).toList(), clock.instant());
        Site created = Site.of(saveAndFlush(e));
        audit.record("site.created", TARGET, created.id(), null, created.auditView());
        return created;
    }

    @Transactional(readOnly = true)
    public Site get(UUID networkId, UUID siteId) {
        return find(networkId, siteId).orElseThrow(() -> new NotFoundException(TARGET, siteId));
    }

    /** The site, if it exists in that network. */
    @Transactional(readOnly = true)
    public Optional<Site> find(UUID networkId, UUID siteId) {
        return repository.findByIdAndNetworkId(siteId, networkId).map(Site::of);
    }

    /**
     * Whether the site exists in that network. Plain JDBC on the caller's connection, without a transaction of its
     * own: peer creation runs in a JDBC-only transaction, which a JPA query could not join.
     */
    public boolean exists(UUID networkId, UUID siteId) {
        Integer n = jdbc.queryForObject(
                "SELECT count(*) FROM site WHERE id = ? AND network_id = ?", Integer.class, siteId, networkId);
        return n != null && n > 0;
    }

    /** Every site of a network (few per network: unpaged, for config rendering and overlap checks). */
    @Transactional(readOnly = true)
    public List<Site> all(UUID networkId) {
        return repository.findByNetworkId(networkId).stream().map(Site::of).toList();
    }

    @Transactional(readOnly = true)
    public PageResponse<Site> list(UUID networkId, String nameContains, Pageable pageable) {
        networks.get(networkId); // 404 for an unknown network rather than an empty page
        var page = nameContains == null || nameContains.isBlank()
                ? repository.findByNetworkId(networkId, pageable)
                : repository.findByNetworkIdAndNameContainingIgnoreCase(networkId, nameContains, pageable);
        return PageResponse.of(page, Site::of);
    }

    @Transactional
    public Site update(UUID networkId, UUID siteId, SiteRequest request, String ifMatch) {
        List<Cidr> prefixes = validate(request);
        Network network = networks.lockForUpdate(networkId);
        SiteEntity e = repository
                .findByIdAndNetworkId(siteId, networkId)
                .orElseThrow(() -> new NotFoundException(TARGET, siteId));
        ETags.check(ifMatch, e.version());
        Site before = Site.of(e);
        checkOverlaps(network, prefixes, siteId);
        e.apply(request.name(), prefixes.stream().map(Cidr::toString).toList(), clock.instant());
        Site after = Site.of(saveAndFlush(e));
        audit.record("site.updated", TARGET, siteId, before.auditView(), after.auditView());
        return after;
    }

    @Transactional
    public void delete(UUID networkId, UUID siteId, String ifMatch) {
        networks.lockForUpdate(networkId);
        SiteEntity e = repository
                .findByIdAndNetworkId(siteId, networkId)
                .orElseThrow(() -> new NotFoundException(TARGET, siteId));
        ETags.check(ifMatch, e.version());
        Site before = Site.of(e);
        try {
            repository.delete(e);
            repository.flush();
        } catch (DataIntegrityViolationException ex) {
            if (Constraints.violated(ex, "fk_peer_site")) {
                throw new ConflictException(null, "site '" + before.name() + "' still has peers; move or delete them");
            }
            throw ex;
        }
        audit.record("site.deleted", TARGET, siteId, before.auditView(), null);
    }

    private static List<Cidr> validate(SiteRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!Names.valid(r.name())) {
            problems.add(new FieldProblem("name", Names.MESSAGE));
        }
        List<String> texts = r.lanPrefixes() == null ? List.of() : r.lanPrefixes();
        if (texts.size() > MAX_PREFIXES) {
            problems.add(new FieldProblem("lanPrefixes", "at most " + MAX_PREFIXES + " prefixes"));
        }
        List<Cidr> prefixes = new ArrayList<>();
        for (int i = 0; i < texts.size() && i < MAX_PREFIXES; i++) {
            String field = "lanPrefixes[" + i + "]";
            try {
                Cidr c = Cidr.parse(texts.get(i));
                for (int j = 0; j < prefixes.size(); j++) {
                    if (prefixes.get(j) != null && prefixes.get(j).overlaps(c)) {
                        problems.add(
                                new FieldProblem(field, c + " overlaps lanPrefixes[" + j + "] " + prefixes.get(j)));
                    }
                }
                prefixes.add(c);
            } catch (IllegalArgumentException ex) {
                problems.add(new FieldProblem(field, ex.getMessage()));
                prefixes.add(null);
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return prefixes;
    }

    private void checkOverlaps(Network network, List<Cidr> prefixes, UUID self) {
        List<FieldProblem> problems = new ArrayList<>();
        List<Site> others =
                all(network.id()).stream().filter(s -> !s.id().equals(self)).toList();
        for (int i = 0; i < prefixes.size(); i++) {
            Cidr c = prefixes.get(i);
            String field = "lanPrefixes[" + i + "]";
            for (Cidr tunnel : new Cidr[] {network.ipv4Prefix(), network.ipv6Prefix()}) {
                if (tunnel != null && tunnel.overlaps(c)) {
                    problems.add(new FieldProblem(field, c + " overlaps the network's tunnel prefix " + tunnel));
                }
            }
            for (Site other : others) {
                for (Cidr o : other.lanPrefixes()) {
                    if (o.overlaps(c)) {
                        problems.add(new FieldProblem(field, c + " overlaps " + o + " of site '" + other.name() + "'"));
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
    }

    private SiteEntity saveAndFlush(SiteEntity e) {
        try {
            return repository.saveAndFlush(e);
        } catch (DataIntegrityViolationException ex) {
            if (Constraints.violated(ex, "uq_site_network_name")) {
                throw new ConflictException("name", "a site named '" + e.name() + "' already exists in this network");
            }
            throw ex;
        }
    }
}
