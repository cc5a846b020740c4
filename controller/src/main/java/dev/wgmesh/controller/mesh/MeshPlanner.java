package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.mesh.MeshMaps.Entry;
import dev.wgmesh.controller.mesh.MeshMaps.Node;
import dev.wgmesh.controller.mesh.Plan.AgentPlan;
import dev.wgmesh.controller.mesh.Plan.PeerChange;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Plans moving a mesh to a revision: for every active agent, its agent-to-agent entries and routes with everyone on
 * the revisions they run now, against everyone on the target (the end state), through the same {@link MeshMaps} the
 * fan-out uses. DEVICE peers are not affected by meshes and not shown.
 */
@Service
public class MeshPlanner {
    private final MeshService meshes;
    private final MeshState state;
    private final PlanInputs inputs;

    MeshPlanner(MeshService meshes, MeshState state, PlanInputs inputs) {
        this.meshes = meshes;
        this.state = state;
        this.inputs = inputs;
    }

    /** Plans the mesh's latest revision; 409 when it no longer fits the network (sites changed since). */
    @Transactional(readOnly = true)
    public Plan plan(UUID networkId, UUID meshId) {
        Mesh mesh = meshes.get(networkId, meshId);
        meshes.recheck(networkId, mesh.spec());
        MeshSnapshot snap = state.load(networkId);
        CompiledMesh target = state.compiled(meshId, mesh.revision());
        PlanInputs.Network net = inputs.load(networkId);
        List<AgentPlan> changed = new ArrayList<>();
        for (Node self : net.agents) {
            AgentPlan p = diff(
                    self,
                    net,
                    snap,
                    snap::revisionOf,
                    id -> target,
                    snap.revisionNumberOf(self.peerId()),
                    target.revision());
            if (p != null) {
                changed.add(p);
            }
        }
        changed.sort(Comparator.comparing((AgentPlan p) -> p.siteId() != null && target.hub(p.siteId()) ? 0 : 1));
        List<Plan.Drift> drift = new ArrayList<>();
        for (Node n : net.agents) {
            PlanInputs.AgentRow a = net.enrolled.get(n.peerId());
            if (a != null
                    && a.desiredHash() != null
                    && a.appliedHash() != null
                    && !a.desiredHash().equals(a.appliedHash())) {
                drift.add(new Plan.Drift(n.peerId(), a.agentId(), n.name(), a.desiredHash(), a.appliedHash()));
            }
        }
        return new Plan(
                meshId,
                mesh.revision(),
                mesh.stableRevision(),
                changed.size(),
                net.agents.size() - changed.size(),
                changed,
                drift);
    }

    private static AgentPlan diff(
            Node self,
            PlanInputs.Network net,
            MeshMaps.LinkKeys keys,
            Function<UUID, CompiledMesh> before,
            Function<UUID, CompiledMesh> after,
            long fromRevision,
            long toRevision) {
        Map<UUID, Entry> was = entries(self, net, keys, before);
        Map<UUID, Entry> will = entries(self, net, keys, after);
        List<String> routesWere = routes(self, net, before.apply(self.peerId()));
        List<String> routesWill = routes(self, net, after.apply(self.peerId()));
        List<PeerChange> added = new ArrayList<>();
        List<PeerChange> removed = new ArrayList<>();
        List<PeerChange> changed = new ArrayList<>();
        for (Node p : net.agents) {
            Entry w = was.get(p.peerId());
            Entry n = will.get(p.peerId());
            if (w == null && n != null) {
                added.add(new PeerChange(
                        p.peerId(),
                        p.name(),
                        n.allowedIps(),
                        null,
                        null,
                        n.endpoint(),
                        null,
                        n.keepalive(),
                        null,
                        n.presharedKey() != null,
                        null));
            } else if (w != null && n == null) {
                removed.add(new PeerChange(p.peerId(), p.name(), null, null, null, null, null, null, null, null, null));
            } else if (w != null) {
                PeerChange c = change(p, w, n);
                if (c != null) {
                    changed.add(c);
                }
            }
        }
        List<String> routesAdded = minus(routesWill, routesWere);
        List<String> routesRemoved = minus(routesWere, routesWill);
        if (added.isEmpty()
                && removed.isEmpty()
                && changed.isEmpty()
                && routesAdded.isEmpty()
                && routesRemoved.isEmpty()) {
            return null;
        }
        PlanInputs.AgentRow enrolled = net.enrolled.get(self.peerId());
        return new AgentPlan(
                self.peerId(),
                enrolled == null ? null : enrolled.agentId(),
                self.name(),
                self.siteId(),
                fromRevision,
                toRevision,
                added,
                removed,
                changed,
                routesAdded,
                routesRemoved);
    }

    private static PeerChange change(Node p, Entry w, Entry n) {
        List<String> ipsAdded = minus(n.allowedIps(), w.allowedIps());
        List<String> ipsRemoved = minus(w.allowedIps(), n.allowedIps());
        boolean endpoint = !Objects.equals(w.endpoint(), n.endpoint());
        boolean keepalive = w.keepalive() != n.keepalive();
        boolean psk = !Arrays.equals(w.presharedKey(), n.presharedKey());
        if (ipsAdded.isEmpty() && ipsRemoved.isEmpty() && !endpoint && !keepalive && !psk) {
            return null;
        }
        return new PeerChange(
                p.peerId(),
                p.name(),
                null,
                ipsAdded.isEmpty() ? null : ipsAdded,
                ipsRemoved.isEmpty() ? null : ipsRemoved,
                endpoint ? n.endpoint() : null,
                endpoint ? w.endpoint() : null,
                keepalive ? n.keepalive() : null,
                keepalive ? w.keepalive() : null,
                psk ? n.presharedKey() != null : null,
                psk ? Boolean.TRUE : null);
    }

    /** {@code self}'s agent-to-agent entries when each agent runs {@code revisionOf(agent)}. */
    static Map<UUID, Entry> entries(
            Node self, PlanInputs.Network net, MeshMaps.LinkKeys keys, Function<UUID, CompiledMesh> revisionOf) {
        CompiledMesh mine = revisionOf.apply(self.peerId());
        Map<UUID, Entry> out = new HashMap<>();
        for (Node p : net.agents) {
            if (p.peerId().equals(self.peerId())) {
                continue;
            }
            if (MeshMaps.governs(mine, self, p)) {
                MeshMaps.entry(mine, revisionOf.apply(p.peerId()), self, p, net, keys)
                        .ifPresent(e -> out.put(p.peerId(), e));
            } else {
                out.put(p.peerId(), implicit(self, p, net));
            }
        }
        return out;
    }

    /** The implicit full mesh's entry (agentapi's network maps without a mesh): what an agent runs on revision 0. */
    private static Entry implicit(Node self, Node p, PlanInputs.Network net) {
        Set<String> allowed = new LinkedHashSet<>(p.hostPrefixes());
        boolean router =
                net.router(p.siteId()).map(r -> r.peerId().equals(p.peerId())).orElse(false);
        if (router && !p.siteId().equals(self.siteId())) {
            allowed.addAll(net.siteLan(p.siteId()));
        }
        return new Entry(p, List.copyOf(allowed), p.endpoint(), p.keepalive(), null);
    }

    private static List<String> routes(Node self, PlanInputs.Network net, CompiledMesh mine) {
        if (mine != null && mine.member(self.siteId())) {
            return MeshMaps.memberRoutes(mine, self, net, net.bySite.keySet());
        }
        Set<String> out = new LinkedHashSet<>();
        for (UUID site : net.bySite.keySet()) {
            if (!site.equals(self.siteId())) {
                out.addAll(net.siteLan(site));
            }
        }
        return new ArrayList<>(out);
    }

    private static List<String> minus(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        b.forEach(out::remove);
        return new ArrayList<>(out);
    }
}
