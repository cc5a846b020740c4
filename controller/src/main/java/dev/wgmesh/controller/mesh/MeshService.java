package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.ETags;
import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.common.PreconditionFailedException;
import dev.wgmesh.controller.keys.SecretCipher;
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.network.NetworkService;
import dev.wgmesh.controller.site.Site;
import dev.wgmesh.controller.site.SiteService;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Meshes: one per network, declared once, versioned. A write stores a new spec revision but changes no agent: agents
 * move to a revision only through a rollout. Writes lock the network row first, like site writes, so the LAN prefix
 * checks see a stable set of sites.
 */
@Service
public class MeshService {
    static final String TARGET = "mesh";

    private final MeshStore store;
    private final NetworkService networks;
    private final SiteService sites;
    private final AuditLog audit;
    private final SecretCipher cipher;
    private final JdbcTemplate jdbc;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();

    MeshService(
            MeshStore store,
            NetworkService networks,
            SiteService sites,
            AuditLog audit,
            SecretCipher cipher,
            JdbcTemplate jdbc) {
        this.store = store;
        this.networks = networks;
        this.sites = sites;
        this.audit = audit;
        this.cipher = cipher;
        this.jdbc = jdbc;
    }

    static String secretContext(UUID meshId) {
        return "mesh-secret:" + meshId;
    }

    @Transactional
    public Mesh create(UUID networkId, MeshRequest request) {
        Network network = networks.lockForUpdate(networkId);
        Map<UUID, Site> siteMap = siteMap(networkId);
        MeshSpec spec = MeshValidator.canonical(request, siteMap);
        checkConflicts(spec, network, siteMap);
        store.findByNetwork(networkId).ifPresent(existing -> {
            throw new ConflictException(
                    null, "network already has mesh '" + existing.mesh().name() + "'; update or delete it");
        });
        UUID id = UUID.randomUUID();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        try {
            store.insert(id, networkId, request.name(), spec, cipher.seal(secret, secretContext(id)), clock.instant());
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        Mesh created = get(networkId, id);
        audit.record("mesh.created", TARGET, id, null, created.auditView());
        return created;
    }

    @Transactional(readOnly = true)
    public Mesh get(UUID networkId, UUID meshId) {
        return store.find(networkId, meshId)
                .map(MeshStore.Row::mesh)
                .orElseThrow(() -> new NotFoundException(TARGET, meshId));
    }

    /** The network's meshes (zero or one). */
    @Transactional(readOnly = true)
    public List<Mesh> list(UUID networkId) {
        networks.get(networkId);
        return store.findByNetwork(networkId).map(MeshStore.Row::mesh).stream().toList();
    }

    @Transactional
    public Mesh update(UUID networkId, UUID meshId, MeshRequest request, String ifMatch) {
        Network network = networks.lockForUpdate(networkId);
        Mesh before = get(networkId, meshId);
        ETags.check(ifMatch, before.version());
        Map<UUID, Site> siteMap = siteMap(networkId);
        MeshSpec spec = MeshValidator.canonical(request, siteMap);
        checkConflicts(spec, network, siteMap);
        long revision = spec.equals(before.spec()) ? before.revision() : before.revision() + 1;
        if (revision == before.revision()) {
            if (!store.update(meshId, before.version(), request.name(), revision, null, clock.instant(), false)) {
                throw new PreconditionFailedException("the mesh changed concurrently; re-read it and retry");
            }
        } else if (!store.update(meshId, before.version(), request.name(), revision, spec, clock.instant(), true)) {
            throw new PreconditionFailedException("the mesh changed concurrently; re-read it and retry");
        }
        Mesh after = get(networkId, meshId);
        audit.record("mesh.updated", TARGET, meshId, before.auditView(), after.auditView());
        return after;
    }

    @Transactional
    public void delete(UUID networkId, UUID meshId, String ifMatch) {
        networks.lockForUpdate(networkId);
        Mesh before = get(networkId, meshId);
        ETags.check(ifMatch, before.version());
        if (activeRollouts(meshId) > 0) {
            throw new ConflictException(null, "mesh '" + before.name() + "' has a rollout in progress; abort it first");
        }
        store.delete(meshId);
        audit.record("mesh.deleted", TARGET, meshId, before.auditView(), null);
    }

    /** Rollouts not yet finished (the rollout feature's table; read here so that mesh does not depend on it). */
    private long activeRollouts(UUID meshId) {
        Long n = jdbc.queryForObject(
                "SELECT COUNT(*) FROM rollout WHERE mesh_id = ? AND state IN ('RUNNING', 'PAUSED', 'ROLLING_BACK')",
                Long.class,
                meshId);
        return n == null ? 0 : n;
    }

    /** The result of a link key rotation. */
    public record LinkKey(UUID siteA, UUID siteB, int generation, Instant rotatedAt) {}

    /**
     * Rotates a link's preshared key. Both ends get the new key in the same fan-out: the agents set it in place, the
     * running session keeps its keys, and the next handshake (at most REKEY_AFTER_TIME, 120 s, later) uses the new
     * one. An end that applies late only delays that handshake: the initiator retries every REKEY_TIMEOUT (5 s) and
     * the current session stays valid until REJECT_AFTER_TIME (180 s), so skew under a minute loses no packet.
     */
    @Transactional
    public LinkKey rotateLinkKey(UUID networkId, UUID meshId, UUID siteA, UUID siteB) {
        store.lock(meshId);
        Mesh mesh = get(networkId, meshId);
        if (siteA == null || siteB == null) {
            throw new InvalidInputException(List.of(new FieldProblem("siteA", "siteA and siteB are required")));
        }
        CompiledMesh latest = new CompiledMesh(mesh.revision(), mesh.spec());
        if (!latest.member(siteA) || !latest.member(siteB) || siteA.equals(siteB)) {
            throw new InvalidInputException(
                    List.of(new FieldProblem("siteA", "siteA and siteB must be two distinct member sites")));
        }
        if (!latest.direct(siteA, siteB)) {
            throw new ConflictException(null, "the two sites have no direct link in revision " + mesh.revision());
        }
        Instant now = clock.instant();
        int generation = store.rotate(meshId, SitePair.of(siteA, siteB), now);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("networkId", networkId.toString());
        view.put("siteA", siteA.toString());
        view.put("siteB", siteB.toString());
        view.put("generation", generation);
        audit.record("mesh.link-key.rotated", TARGET, meshId, null, view);
        return new LinkKey(siteA, siteB, generation, now);
    }

    /**
     * Moves agents to mesh revisions (rollout waves and rollbacks): {@code revisions} maps agent peer ids to a revision,
     * or to null to clear the assignment (the agent follows the stable revision). Audited; the change event makes
     * every replica push the new maps when the caller's transaction commits.
     */
    @Transactional
    public void assign(UUID networkId, UUID meshId, Map<UUID, Long> revisions, String action, Map<String, ?> detail) {
        store.assign(meshId, revisions, clock.instant());
        audit.record(action, TARGET, meshId, null, withNetwork(networkId, detail));
    }

    /** Sets the revision agents without an assignment run (a completed rollout, or its rollback). */
    @Transactional
    public void stable(UUID networkId, UUID meshId, long revision, String action, Map<String, ?> detail) {
        store.stable(meshId, revision);
        audit.record(action, TARGET, meshId, null, withNetwork(networkId, detail));
    }

    /** The current assignments (agent peer id → revision). */
    @Transactional(readOnly = true)
    public Map<UUID, Long> assignments(UUID meshId) {
        return store.assignments(meshId);
    }

    /** Serialises rollout steps and spec writes of one mesh (row lock until the transaction ends). */
    @Transactional
    public void lock(UUID meshId) {
        store.lock(meshId);
    }

    private static Map<String, Object> withNetwork(UUID networkId, Map<String, ?> detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("networkId", networkId.toString());
        m.putAll(detail);
        return m;
    }

    /** 409 with every conflict when the spec cannot work in the network as it is now. */
    void checkConflicts(MeshSpec spec, Network network, Map<UUID, Site> siteMap) {
        List<FieldProblem> conflicts =
                MeshValidator.conflicts(spec, network, siteMap, store.sitesWithAgentEndpoint(network.id()));
        if (!conflicts.isEmpty()) {
            throw new MeshConflictException(conflicts);
        }
    }

    /** Re-checks a stored revision against the network now (sites may have changed since it was written). */
    @Transactional(readOnly = true)
    public void recheck(UUID networkId, MeshSpec spec) {
        Map<UUID, Site> siteMap = siteMap(networkId);
        for (MeshSpec.Member m : spec.members()) {
            if (!siteMap.containsKey(m.siteId())) {
                throw new MeshConflictException(List.of(new FieldProblem(
                        "members", "member site " + m.siteId() + " no longer exists; update the mesh")));
            }
        }
        checkConflicts(spec, networks.get(networkId), siteMap);
    }

    private Map<UUID, Site> siteMap(UUID networkId) {
        return sites.all(networkId).stream().collect(Collectors.toMap(Site::id, Function.identity()));
    }
}
