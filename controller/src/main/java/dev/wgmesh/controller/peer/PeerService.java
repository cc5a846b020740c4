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
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.network.NetworkService;
import dev.wgmesh.controller.site.SiteService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Peers. Creation runs in steps (see {@link IpamService}): reserve tunnel addresses for the new peer's id
 * (autocommitted), insert the peer in one transaction, and release the reservations if that transaction fails, so an
 * error leaves nothing behind.
 */
@Service
public class PeerService {
    static final String TARGET = "peer";

    private final PeerRepository repository;
    private final NetworkService networks;
    private final SiteService sites;
    private final IpamService ipam;
    private final PeerKeySealer sealer;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock = Clock.systemUTC();

    PeerService(
            PeerRepository repository,
            NetworkService networks,
            SiteService sites,
            IpamService ipam,
            PeerKeySealer sealer,
            AuditLog audit,
            PlatformTransactionManager transactions) {
        this.repository = repository;
        this.networks = networks;
        this.sites = sites;
        this.ipam = ipam;
        this.sealer = sealer;
        this.audit = audit;
        this.tx = new TransactionTemplate(transactions);
    }

    /** Not transactional itself: address reservation must commit on its own before the peer's transaction. */
    public Peer create(UUID networkId, PeerRequest request) {
        return create(networkId, request, p -> {});
    }

    /**
     * As {@link #create(UUID, PeerRequest)}, running {@code inSameTransaction} with the new peer inside the peer's
     * insert transaction (agent enrolment: key redemption and agent record commit together with the peer).
     */
    public Peer create(UUID networkId, PeerRequest request, java.util.function.Consumer<Peer> inSameTransaction) {
        PeerSpec spec = PeerSpec.validate(request);
        Network network = networks.get(networkId);
        checkSite(networkId, spec);
        if (spec.tunnelIpv6() != null && network.ipv6Prefix() == null) {
            throw new InvalidInputException("tunnelIpv6", "the network has no IPv6 prefix");
        }
        UUID id = UUID.randomUUID();
        String publicKey = spec.publicKey();
        String sealed = null;
        if (publicKey == null) { // DEVICE without a key of its own: we generate, the private half sealed at once
            WireGuardKeys.GeneratedKeyPair pair = WireGuardKeys.generateKeyPair();
            publicKey = pair.publicKey();
            sealed = sealer.seal(id, pair.privateKey());
        }
        List<Allocation> reserved = new ArrayList<>(2);
        try {
            reserved.add(ipam.reserve(networkId, id, network.ipv4Prefix(), spec.tunnelIpv4(), "tunnelIpv4"));
            if (network.ipv6Prefix() != null) {
                reserved.add(ipam.reserve(networkId, id, network.ipv6Prefix(), spec.tunnelIpv6(), "tunnelIpv6"));
            }
            PeerEntity e = new PeerEntity(
                    id,
                    networkId,
                    spec.kind(),
                    publicKey,
                    sealed,
                    reserved.get(0).address().toString(),
                    reserved.size() > 1 ? reserved.get(1).address().toString() : null,
                    clock.instant());
            e.apply(spec, clock.instant());
            return tx.execute(status -> {
                Peer created = insert(network, e);
                inSameTransaction.accept(created);
                return created;
            });
        } catch (RuntimeException ex) {
            ipam.release(reserved);
            throw ex;
        }
    }

    private Peer insert(Network reservedIn, PeerEntity e) {
        // Shared lock: many peer creations proceed together, a concurrent prefix change (exclusive lock) cannot.
        Network now = networks.lockShared(reservedIn.id());
        if (!Objects.equals(now.ipv4Prefix(), reservedIn.ipv4Prefix())
                || !Objects.equals(now.ipv6Prefix(), reservedIn.ipv6Prefix())) {
            throw new ConflictException(null, "the network's prefixes changed during the request; retry");
        }
        Peer created = Peer.of(saveAndFlush(e));
        audit.record("peer.created", TARGET, created.id(), null, created.auditView());
        return created;
    }

    @Transactional(readOnly = true)
    public Peer get(UUID networkId, UUID peerId) {
        return Peer.of(find(networkId, peerId));
    }

    @Transactional(readOnly = true)
    public PageResponse<Peer> list(UUID networkId, PeerFilter filter, Pageable pageable) {
        networks.get(networkId); // 404 for an unknown network rather than an empty page
        return PageResponse.of(repository.findAll(filter.toSpecification(networkId), pageable), Peer::of);
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
        if (spec.siteId() != null && sites.find(networkId, spec.siteId()).isEmpty()) {
            throw new InvalidInputException("siteId", "no site " + spec.siteId() + " in this network");
        }
    }

    private PeerEntity saveAndFlush(PeerEntity e) {
        try {
            return repository.saveAndFlush(e);
        } catch (DataIntegrityViolationException ex) {
            if (Constraints.violated(ex, "uq_peer_network_name")) {
                throw new ConflictException("name", "a peer named '" + e.name() + "' already exists in this network");
            }
            if (Constraints.violated(ex, "uq_peer_public_key")) {
                throw new ConflictException("publicKey", "another peer already uses this public key");
            }
            if (Constraints.violated(ex, "fk_peer_site")) {
                throw new InvalidInputException("siteId", "the site was deleted during the request");
            }
            throw ex;
        }
    }
}
