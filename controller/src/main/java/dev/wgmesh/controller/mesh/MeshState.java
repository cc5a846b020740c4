package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.keys.SecretCipher;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads a network's {@link MeshSnapshot} (for the agent fan-out and the planner). Compiled revisions are cached:
 * a stored revision never changes.
 */
@Service
public class MeshState {
    private final MeshStore store;
    private final SecretCipher cipher;
    private final Map<String, CompiledMesh> compiled = new ConcurrentHashMap<>();

    MeshState(MeshStore store, SecretCipher cipher) {
        this.store = store;
        this.cipher = cipher;
    }

    @Transactional(readOnly = true)
    public MeshSnapshot load(UUID networkId) {
        MeshStore.Row row = store.findByNetwork(networkId).orElse(null);
        if (row == null) {
            return MeshSnapshot.NONE;
        }
        Mesh m = row.mesh();
        Map<UUID, Long> assigned = store.assignments(m.id());
        Set<Long> needed = new HashSet<>(assigned.values());
        needed.add(m.stableRevision());
        needed.add(m.revision());
        needed.remove(0L);
        Map<Long, CompiledMesh> revisions = new HashMap<>();
        for (long r : needed) {
            revisions.put(r, compiled(m.id(), r));
        }
        byte[] secret = cipher.open(row.secretSealed(), MeshService.secretContext(m.id()));
        return new MeshSnapshot(m.id(), m.stableRevision(), assigned, revisions, store.generations(m.id()), secret);
    }

    /** One revision, compiled (cached). */
    public CompiledMesh compiled(UUID meshId, long revision) {
        return compiled.computeIfAbsent(
                meshId + "/" + revision, k -> new CompiledMesh(revision, store.spec(meshId, revision)));
    }
}
