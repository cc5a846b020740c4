package dev.wgmesh.controller.rollout;

import dev.wgmesh.controller.audit.ActorProvider;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.mesh.Mesh;
import dev.wgmesh.controller.mesh.MeshPlanner;
import dev.wgmesh.controller.mesh.MeshService;
import dev.wgmesh.controller.mesh.Plan;
import dev.wgmesh.controller.rollout.RolloutStore.AgentRow;
import dev.wgmesh.controller.rollout.RolloutStore.Progress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Rollouts of a mesh's latest revision: start (plan, waves), status, history, and the operator's resume, abort and
 * rollback. State changes lock the rollout row, so they serialise with the driver's steps on any replica.
 */
@Service
public class RolloutService {
    static final int MAX_LIST = 100;

    private final RolloutStore store;
    private final MeshService meshes;
    private final MeshPlanner planner;
    private final ActorProvider actors;

    RolloutService(RolloutStore store, MeshService meshes, MeshPlanner planner, ActorProvider actors) {
        this.store = store;
        this.meshes = meshes;
        this.planner = planner;
        this.actors = actors;
    }

    @Transactional
    public Rollout start(UUID networkId, UUID meshId, RolloutRequest request) {
        RolloutRequest req = request == null ? new RolloutRequest(null, null, null, null, null, null) : request;
        int canary = bounded("canarySize", req.canarySize(), 1, 1, 10_000);
        int waveSize = bounded("waveSize", req.waveSize(), 5, 1, 10_000);
        int pause = bounded("pauseSeconds", req.pauseSeconds(), 0, 0, 86_400);
        int timeout = bounded("gateTimeoutSeconds", req.gateTimeoutSeconds(), 60, 1, 86_400);
        meshes.lock(meshId);
        Mesh mesh = meshes.get(networkId, meshId);
        store.active(meshId).ifPresent(a -> {
            throw new ConflictException(
                    null, "rollout " + a.id() + " of this mesh is " + a.state() + "; finish, abort or roll it back");
        });
        Plan plan = planner.plan(networkId, meshId);
        List<UUID> order = new ArrayList<>();
        Map<UUID, List<UUID>> gatePeers = new LinkedHashMap<>();
        for (Plan.AgentPlan a : plan.agents()) {
            order.add(a.peerId());
            List<UUID> links = new ArrayList<>();
            a.peersAdded().forEach(c -> links.add(c.peerId()));
            a.peersChanged().forEach(c -> links.add(c.peerId()));
            gatePeers.put(a.peerId(), links);
        }
        List<UUID> resync = new ArrayList<>();
        if (!Boolean.FALSE.equals(req.reconverge())) {
            for (Plan.Drift d : plan.drift()) {
                if (!gatePeers.containsKey(d.peerId())) {
                    order.add(d.peerId());
                    resync.add(d.peerId());
                }
            }
        }
        List<AgentRow> rows = new ArrayList<>();
        int waves = 0;
        for (int i = 0; i < order.size(); ) {
            int size = waves == 0 ? canary : waveSize;
            for (int j = i; j < Math.min(order.size(), i + size); j++) {
                UUID peer = order.get(j);
                rows.add(new AgentRow(
                        peer,
                        waves,
                        null,
                        null,
                        resync.contains(peer),
                        gatePeers.getOrDefault(peer, List.of()),
                        AgentStep.PENDING,
                        null));
            }
            i += size;
            waves++;
        }
        Instant now = Instant.now();
        Rollout r = new Rollout(
                UUID.randomUUID(),
                meshId,
                networkId,
                mesh.revision(),
                mesh.stableRevision(),
                RolloutState.RUNNING,
                canary,
                waveSize,
                pause,
                timeout,
                !Boolean.FALSE.equals(req.healthGates()),
                waves,
                0,
                "PENDING",
                null,
                null,
                null,
                actors.currentActor(),
                now,
                now,
                null,
                null);
        store.insert(r, now);
        store.insertAgents(r.id(), rows);
        store.event(
                r.id(),
                "rollout.started",
                null,
                null,
                "revision " + r.targetRevision() + ": " + order.size() + " agent(s) in " + waves + " wave(s) ("
                        + resync.size() + " drifted)");
        return get(networkId, meshId, r.id());
    }

    private static int bounded(String field, Integer value, int dflt, int min, int max) {
        if (value == null) {
            return dflt;
        }
        if (value < min || value > max) {
            throw new InvalidInputException(List.of(new FieldProblem(field, "must be " + min + "-" + max)));
        }
        return value;
    }

    @Transactional(readOnly = true)
    public Rollout get(UUID networkId, UUID meshId, UUID rolloutId) {
        Rollout r = find(networkId, meshId, rolloutId);
        List<Rollout.Wave> waves = new ArrayList<>();
        for (AgentRow a : store.agents(rolloutId)) {
            while (waves.size() <= a.wave()) {
                waves.add(new Rollout.Wave(waves.size(), new ArrayList<>()));
            }
            waves.get(a.wave())
                    .agents()
                    .add(new Rollout.AgentItem(
                            a.peerId(), a.step().name(), a.resync(), a.previousRevision(), a.detail()));
        }
        return r.withWaves(waves);
    }

    @Transactional(readOnly = true)
    public List<Rollout> list(UUID networkId, UUID meshId) {
        meshes.get(networkId, meshId);
        return store.list(meshId, MAX_LIST);
    }

    /** Rollouts in one state across every network (at most {@link #MAX_LIST}), most recently changed first. */
    @Transactional(readOnly = true)
    public List<RolloutInState> inState(RolloutState state) {
        return store.inState(state, MAX_LIST);
    }

    @Transactional(readOnly = true)
    public List<RolloutEvent> events(UUID networkId, UUID meshId, UUID rolloutId, long afterId, int limit) {
        find(networkId, meshId, rolloutId);
        return store.events(rolloutId, afterId, Math.clamp(limit, 1, 1000));
    }

    /**
     * RUNNING → PAUSED by an operator: no further wave starts and the current wave is not judged; agents keep what
     * they were sent. Resume re-checks the current wave's gate with a fresh timeout and does not wait out the rest
     * of a pause between waves.
     */
    @Transactional
    public Rollout pause(UUID networkId, UUID meshId, UUID rolloutId) {
        Rollout r = locked(networkId, meshId, rolloutId);
        if (!r.state().canPause()) {
            throw new ConflictException(null, "a " + r.state() + " rollout cannot be paused (only a RUNNING one)");
        }
        Progress p = new Progress(r);
        p.state = RolloutState.PAUSED;
        p.reason = "paused by " + actors.currentActor() + " in wave " + p.currentWave;
        Instant now = Instant.now();
        store.save(rolloutId, p, null, now);
        store.event(rolloutId, "rollout.paused", p.currentWave, null, p.reason);
        return get(networkId, meshId, rolloutId);
    }

    /** PAUSED → RUNNING: the failed wave's gate is checked again with a fresh timeout. */
    @Transactional
    public Rollout resume(UUID networkId, UUID meshId, UUID rolloutId) {
        Rollout r = locked(networkId, meshId, rolloutId);
        if (!r.state().canResume()) {
            throw new ConflictException(null, "a " + r.state() + " rollout cannot be resumed (only a PAUSED one)");
        }
        List<AgentRow> failed = store.agents(rolloutId).stream()
                .filter(a -> a.step() == AgentStep.FAILED)
                .map(a -> a.with(AgentStep.APPLIED, null))
                .toList();
        store.updateAgents(rolloutId, failed);
        Progress p = new Progress(r);
        p.state = RolloutState.RUNNING;
        p.reason = null;
        Instant now = Instant.now();
        if ("APPLIED".equals(p.phase)) {
            p.waveStartedAt = now;
        }
        store.save(rolloutId, p, now, now);
        store.event(rolloutId, "rollout.resumed", p.currentWave, null, "by " + actors.currentActor());
        return get(networkId, meshId, rolloutId);
    }

    /** RUNNING | PAUSED → ABORTED: no further wave; agents keep what they run (roll back to undo). */
    @Transactional
    public Rollout abort(UUID networkId, UUID meshId, UUID rolloutId) {
        Rollout r = locked(networkId, meshId, rolloutId);
        if (!r.state().canAbort()) {
            throw new ConflictException(null, "a " + r.state() + " rollout cannot be aborted");
        }
        Progress p = new Progress(r);
        p.state = RolloutState.ABORTED;
        p.reason = "aborted by " + actors.currentActor() + " at wave " + p.currentWave;
        p.phase = null;
        Instant now = Instant.now();
        store.save(rolloutId, p, null, now);
        store.event(rolloutId, "rollout.aborted", r.currentWave(), null, p.reason);
        return get(networkId, meshId, rolloutId);
    }

    /** Back to the previous revision on every agent the rollout touched (driven like a wave, acks awaited). */
    @Transactional
    public Rollout rollback(UUID networkId, UUID meshId, UUID rolloutId) {
        Rollout r = locked(networkId, meshId, rolloutId);
        if (!r.state().canRollBack()) {
            throw new ConflictException(null, "a " + r.state() + " rollout cannot be rolled back");
        }
        if (r.state() == RolloutState.COMPLETED || r.state() == RolloutState.ABORTED) {
            UUID latest = store.latest(meshId).orElseThrow();
            if (!latest.equals(rolloutId)) {
                throw new ConflictException(null, "only the mesh's latest rollout can be rolled back once finished");
            }
        }
        Progress p = new Progress(r);
        p.state = RolloutState.ROLLING_BACK;
        p.phase = "REVERT_PENDING";
        p.reason = "rollback requested by " + actors.currentActor();
        Instant now = Instant.now();
        store.save(rolloutId, p, now, now);
        store.event(rolloutId, "rollback.started", r.currentWave(), null, p.reason);
        return get(networkId, meshId, rolloutId);
    }

    private Rollout find(UUID networkId, UUID meshId, UUID rolloutId) {
        return store.find(rolloutId)
                .map(RolloutStore.Row::rollout)
                .filter(r -> r.meshId().equals(meshId) && r.networkId().equals(networkId))
                .orElseThrow(() -> new NotFoundException("rollout", rolloutId));
    }

    private Rollout locked(UUID networkId, UUID meshId, UUID rolloutId) {
        find(networkId, meshId, rolloutId);
        return store.lock(rolloutId).orElseThrow().rollout();
    }
}
