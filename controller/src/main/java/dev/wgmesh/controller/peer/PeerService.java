package dev.wgmesh.controller.peer;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.Constraints;
import dev.wgmesh.controller.common.ETags;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.common.PageResponse;
import dev.wgmesh.controller.ipam.IpamService;
import dev.wgmesh.controller.ipam.IpamService.Allocation;
import dev.wgmesh.controller.keys.PeerKeySealer;
import dev.wgmesh.controller.keys.WireGuardKeys;
import dev.wgmesh.controller.keys.WireGuardSecret;
import dev.wgmesh.controller.network.NetworkService;
import dev.wgmesh.controller.site.SiteService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Peers. A creation is one transaction: shared lock on the network (its prefixes cannot change underneath), address
 * allocation ({@link IpamService#allocate}), the peer row with its tags (plain JDBC, {@link PeerInsert}), and the
 * audit entry; a failure anywhere rolls all of it back, so nothing is left to release. Key generation and sealing
 * run before it, off the database.
 *
 * <p>Every statement of a creation is plain JDBC, so a creation through the API runs in a JDBC transaction
 * ({@link DataSourceTransactionManager} on the same pool) rather than a JPA one: opening and flushing a Hibernate
 * session that is never used cost about 5 % of the controller's CPU per peer. A creation with a caller's work in the
 * same transaction (agent enrolment, whose repositories are JPA) keeps the JPA transaction manager.
 */
@Service
public class PeerService {
    static final String TARGET = "peer";
    /** Whole-transaction attempts when PostgreSQL aborts a creation as a deadlock victim (replicas allocating). */
    private static final int CREATE_ATTEMPTS = 3;

    private final PeerRepository repository;
    private final NetworkService networks;
    private final SiteService sites;
    private final IpamService ipam;
    private final PeerKeySealer sealer;
    private final AuditLog audit;
    private final NetworkPrefixLock prefixLock;
    private final PeerListQuery listQuery;
    private final PeerInsert inserts;
    /** JPA transactions: creations that run a caller's work, which may use JPA repositories, in the transaction. */
    private final TransactionTemplate tx;
    /** JDBC-only transactions on the same connection pool: creations without a caller's work. */
    private final TransactionTemplate jdbcTx;

    private final Clock clock = Clock.systemUTC();

    PeerService(
            PeerRepository repository,
            NetworkService networks,
            SiteService sites,
            IpamService ipam,
            PeerKeySealer sealer,
            AuditLog audit,
            NetworkPrefixLock prefixLock,
            PeerListQuery listQuery,
            PeerInsert inserts,
            PlatformTransactionManager transactions,
            DataSource dataSource) {
        this.repository = repository;
        this.networks = networks;
        this.sites = sites;
        this.ipam = ipam;
        this.sealer = sealer;
        this.audit = audit;
        this.prefixLock = prefixLock;
        this.listQuery = listQuery;
        this.inserts = inserts;
        this.tx = new TransactionTemplate(transactions);
        this.jdbcTx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Not transactional itself: it runs (and on a deadlock, re-runs) its own transaction. */
    public Peer create(UUID networkId, PeerRequest request) {
        return create(networkId, request, null);
    }

    /**
     * As {@link #create(UUID, PeerRequest)}, running {@code inSameTransaction} with the new peer inside the peer's
     * insert transaction (agent enrolment: key redemption and agent record commit together with the peer). Null
     * for none: the creation then runs in a JDBC-only transaction (class comment), unless the caller has one.
     */
    public Peer create(UUID networkId, PeerRequest request, java.util.function.Consumer<Peer> inSameTransaction) {
        PeerSpec spec = PeerSpec.validate(request);
        UUID id = UUID.randomUUID();
        String publicKey = spec.publicKey();
        String sealed = null;
        if (publicKey == null) { // DEVICE without a key of its own: we generate, the private half sealed at once
            WireGuardKeys.GeneratedKeyPair pair = WireGuardKeys.generateKeyPair();
            publicKey = pair.publicKey();
            sealed = sealer.seal(id, pair.privateKey());
        }
        String key = publicKey;
        String sealedKey = sealed;
        // A caller's own transaction (JPA) is joined through the JPA manager, which the JDBC one cannot do.
        TransactionTemplate transaction =
                inSameTransaction == null && !TransactionSynchronizationManager.isActualTransactionActive()
                        ? jdbcTx
                        : tx;
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.execute(status -> {
                    Peer created = insert(networkId, id, spec, key, sealedKey);
                    if (inSameTransaction != null) {
                        inSameTransaction.accept(created);
                    }
                    return created;
                });
            } catch (PessimisticLockingFailureException ex) {
                if (attempt >= CREATE_ATTEMPTS) {
                    throw ex;
                }
            }
        }
    }

    private Peer insert(UUID networkId, UUID id, PeerSpec spec, String publicKey, String sealed) {
        // Shared lock: many peer creations proceed together, a concurrent prefix change (exclusive lock) cannot.
        NetworkPrefixLock.Prefixes network = prefixLock.lock(networkId);
        checkSite(networkId, spec);
        if (spec.tunnelIpv6() != null && network.ipv6() == null) {
            throw new InvalidInputException("tunnelIpv6", "the network has no IPv6 prefix");
        }
        List<IpamService.Want> wants = new ArrayList<>(2);
        wants.add(new IpamService.Want(network.ipv4(), spec.tunnelIpv4(), "tunnelIpv4"));
        if (network.ipv6() != null) {
            wants.add(new IpamService.Want(network.ipv6(), spec.tunnelIpv6(), "tunnelIpv6"));
        }
        List<Allocation> allocated = ipam.allocate(networkId, id, wants);
        Peer created = insertRow(new PeerInsert.NewPeer(
                id,
                networkId,
                spec,
                publicKey,
                sealed,
                allocated.get(0).address().toString(),
                allocated.size() > 1 ? allocated.get(1).address().toString() : null));
        audit.record("peer.created", TARGET, created.id(), null, created.auditView());
        return created;
    }

    @Transactional(readOnly = true)
    public Peer get(UUID networkId, UUID peerId) {
        return Peer.of(find(networkId, peerId));
    }

    @Transactional(readOnly = true)
    public PageResponse<Peer> list(UUID networkId, PeerFilter filter, Pageable pageable) {
        PeerListQuery.Result page = listQuery.find(networkId, filter, pageable);
        if (page.total() == 0) {
            networks.get(networkId); // 404 for an unknown network rather than an empty page
        }
        int size = pageable.isPaged()
                ? pageable.getPageSize()
                : Math.max(1, page.items().size());
        return new PageResponse<>(
                page.items(), pageable.isPaged() ? pageable.getPageNumber() : 0, size, page.total(), (int)
                        ((page.total() + size - 1) / size));
    }

    @Transactional
    public Peer update(UUID networkId, UUID peerId, PeerRequest request, String ifMatch) {
        PeerSpec spec = PeerSpec.validate(withDefaults(request, networkId, peerId));
        PeerEntity e = find(networkId, peerId);
        ETags.check(ifMatch, e.version());
        checkImmutable(e, spec);
        checkSite(networkId, spec);
        Peer before = Peer.of(e);
        e.apply(spec, clock.instant());
        Peer after = Peer.of(saveAndFlush(e));
        audit.record("peer.updated", TARGET, peerId, before.auditView(), after.auditView());
        return after;
    }

    /** Deleting the peer frees its addresses (here) and preshared keys (database cascade). */
    @Transactional
    public void delete(UUID networkId, UUID peerId, String ifMatch) {
        PeerEntity e = find(networkId, peerId);
        ETags.check(ifMatch, e.version());
        Peer before = Peer.of(e);
        repository.delete(e);
        repository.flush();
        ipam.releasePeer(peerId);
        audit.record("peer.deleted", TARGET, peerId, before.auditView(), null);
    }

    /** Enabled AGENT peers with an endpoint, oldest first: whom a device connects to. */
    @Transactional(readOnly = true)
    public List<Peer> reachableAgents(UUID networkId) {
        return repository.findEnabledWithEndpoint(networkId, PeerKind.AGENT).stream()
                .map(Peer::of)
                .toList();
    }

    /** The private key the controller generated for a DEVICE peer; empty when the user brought their own key. */
    @Transactional(readOnly = true)
    public Optional<WireGuardSecret> devicePrivateKey(UUID networkId, UUID peerId) {
        PeerEntity e = find(networkId, peerId);
        return Optional.ofNullable(e.privateKeySealed()).map(s -> sealer.open(e.id(), s));
    }

    private PeerEntity find(UUID networkId, UUID peerId) {
        return repository
                .findByIdAndNetworkId(peerId, networkId)
                .orElseThrow(() -> new NotFoundException(TARGET, peerId));
    }

    /** PUT may omit the fixed fields; fill them from the stored peer so validation sees a whole request. */
    private PeerRequest withDefaults(PeerRequest r, UUID networkId, UUID peerId) {
        if (r.kind() != null && r.publicKey() != null) {
            return r;
        }
        PeerEntity e = find(networkId, peerId);
        return new PeerRequest(
                r.name(),
                r.kind() == null ? e.kind() : r.kind(),
                r.siteId(),
                r.publicKey() == null && e.kind() == PeerKind.AGENT ? e.publicKey() : r.publicKey(),
                r.tunnelIpv4(),
                r.tunnelIpv6(),
                r.endpoint(),
                r.listenPort(),
                r.persistentKeepalive(),
                r.enabled(),
                r.expiresAt(),
                r.tags());
    }

    private static void checkImmutable(PeerEntity e, PeerSpec s) {
        List<dev.wgmesh.controller.common.FieldProblem> problems = new ArrayList<>();
        if (s.kind() != e.kind()) {
            problems.add(new dev.wgmesh.controller.common.FieldProblem("kind", "cannot change after creation"));
        }
        if (s.publicKey() != null && !s.publicKey().equals(e.publicKey())) {
            problems.add(new dev.wgmesh.controller.common.FieldProblem(
                    "publicKey", "cannot change after creation; create a new peer to rotate keys"));
        }
        if (s.tunnelIpv4() != null && !s.tunnelIpv4().toString().equals(e.tunnelIpv4())) {
            problems.add(new dev.wgmesh.controller.common.FieldProblem("tunnelIpv4", "cannot change after creation"));
        }
        if (s.tunnelIpv6() != null && !s.tunnelIpv6().toString().equals(e.tunnelIpv6())) {
            problems.add(new dev.wgmesh.controller.common.FieldProblem("tunnelIpv6", "cannot change after creation"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
    }

    private void checkSite(UUID networkId, PeerSpec spec) {
        if (spec.siteId() != null && !sites.exists(networkId, spec.siteId())) {
            throw new InvalidInputException("siteId", "no site " + spec.siteId() + " in this network");
        }
    }

    private Peer insertRow(PeerInsert.NewPeer p) {
        try {
            return inserts.insert(p, clock.instant());
        } catch (DataIntegrityViolationException ex) {
            throw translate(ex, p.spec().name());
        }
    }

    private PeerEntity saveAndFlush(PeerEntity e) {
        try {
            return repository.saveAndFlush(e);
        } catch (DataIntegrityViolationException ex) {
            throw translate(ex, e.name());
        }
    }

    /** A violated constraint of ours as the API error naming the field; anything else as it is. */
    private static RuntimeException translate(DataIntegrityViolationException ex, String name) {
        if (Constraints.violated(ex, "uq_peer_network_name")) {
            return new ConflictException("name", "a peer named '" + name + "' already exists in this network");
        }
        if (Constraints.violated(ex, "uq_peer_public_key")) {
            return new ConflictException("publicKey", "another peer already uses this public key");
        }
        if (Constraints.violated(ex, "fk_peer_site")) {
            return new InvalidInputException("siteId", "the site was deleted during the request");
        }
        return ex;
    }
}
