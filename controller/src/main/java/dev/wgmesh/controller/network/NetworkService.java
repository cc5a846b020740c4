package dev.wgmesh.controller.network;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.Constraints;
import dev.wgmesh.controller.common.ETags;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.common.PageResponse;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

@Service
public class NetworkService {
    static final String TARGET = "network";

    private final NetworkRepository repository;
    private final List<NetworkGuard> guards;
    private final AuditLog audit;
    private final Clock clock = Clock.systemUTC();

    NetworkService(NetworkRepository repository, List<NetworkGuard> guards, AuditLog audit) {
        this.repository = repository;
        this.guards = guards;
        this.audit = audit;
    }

    @Transactional
    public Network create(NetworkRequest request) {
        NetworkSpec spec = NetworkSpec.validate(request);
        NetworkEntity e = new NetworkEntity(UUID.randomUUID(), clock.instant());
        e.apply(spec, clock.instant());
        Network created = Network.of(saveAndFlush(e));
        audit.record("network.created", TARGET, created.id(), null, created.auditView());
        return created;
    }

    @Transactional(readOnly = true)
    public Network get(UUID id) {
        return Network.of(find(id));
    }

    @Transactional(readOnly = true)
    public PageResponse<Network> list(String nameContains, Pageable pageable) {
        var page = nameContains == null || nameContains.isBlank()
                ? repository.findAll(pageable)
                : repository.findByNameContainingIgnoreCase(nameContains, pageable);
        return PageResponse.of(page, Network::of);
    }

    @Transactional
    public Network update(UUID id, NetworkRequest request, String ifMatch) {
        NetworkSpec spec = NetworkSpec.validate(request);
        NetworkEntity e = repository.findByIdForUpdate(id).orElseThrow(() -> new NotFoundException(TARGET, id));
        ETags.check(ifMatch, e.version());
        Network before = Network.of(e);
        e.apply(spec, clock.instant());
        Network proposed = Network.of(e);
        if (!Objects.equals(before.ipv4Prefix(), proposed.ipv4Prefix())
                || !Objects.equals(before.ipv6Prefix(), proposed.ipv6Prefix())) {
            guards.forEach(g -> g.beforePrefixChange(before, proposed));
        }
        Network after = Network.of(saveAndFlush(e));
        audit.record("network.updated", TARGET, id, before.auditView(), after.auditView());
        return after;
    }

    @Transactional
    public void delete(UUID id, String ifMatch) {
        NetworkEntity e = repository.findByIdForUpdate(id).orElseThrow(() -> new NotFoundException(TARGET, id));
        ETags.check(ifMatch, e.version());
        Network before = Network.of(e);
        guards.forEach(g -> g.beforeDelete(before));
        repository.delete(e);
        repository.flush();
        audit.record("network.deleted", TARGET, id, before.auditView(), null);
    }

    /**
     * Reads a network and locks its row until the caller's transaction ends: serialises changes that must be checked
     * against everything else in the network (site LAN overlap) across threads and controller replicas.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Network lockForUpdate(UUID id) {
        return Network.of(repository.findByIdForUpdate(id).orElseThrow(() -> new NotFoundException(TARGET, id)));
    }

    /**
     * Reads a network with a shared lock until the caller's transaction ends: writes that depend on the network's
     * prefixes (peer creation) run concurrently with each other but not with a prefix change.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Network lockShared(UUID id) {
        return Network.of(repository.findByIdForShare(id).orElseThrow(() -> new NotFoundException(TARGET, id)));
    }

    private NetworkEntity find(UUID id) {
        return repository.findById(id).orElseThrow(() -> new NotFoundException(TARGET, id));
    }

    private NetworkEntity saveAndFlush(NetworkEntity e) {
        try {
            return repository.saveAndFlush(e);
        } catch (DataIntegrityViolationException ex) {
            if (Constraints.violated(ex, "uq_network_name")) {
                throw new ConflictException("name", "a network named '" + e.name() + "' already exists");
            }
            throw ex;
        }
    }
}
