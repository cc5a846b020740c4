package dev.wgmesh.controller.rollout;

import dev.wgmesh.controller.agentapi.AgentAdmin;
import dev.wgmesh.controller.mesh.MeshService;
import dev.wgmesh.controller.rollout.RolloutStore.AgentRow;
import dev.wgmesh.controller.rollout.RolloutStore.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Advances one rollout by one step, in one transaction, holding its row lock and the lease (so one replica at a time
 * drives it, and a replica that dies mid-step leaves nothing half done).
 *
 * <p>A wave: (1) <b>apply</b> — assign the target revision to the wave's agents and ask each for a fresh snapshot
 * (both through the change outbox, in this transaction, so every replica pushes them in commit order); (2) <b>gate</b>
 * — every agent acknowledges a revision newer than the one it had before the wave, with the hash the controller
 * wants; with health gates, every link the plan adds or changes for it towards an agent already on the target
 * reports a live session and an answered probe; (3) <b>pass</b> → the next wave after the pause, or <b>timeout</b> →
 * PAUSED with the failing agents and links, the healthy part left running.
 */
@Component
class RolloutStepper {
    static final Duration CHECK_EVERY = Duration.ofMillis(250);

    private final RolloutStore store;
    private final MeshService meshes;
    private final AgentFacts facts;
    private final HealthGate gate;
    private final AgentAdmin agents;
    private final TransactionTemplate tx;

    RolloutStepper(
            RolloutStore store,
            MeshService meshes,
            AgentFacts facts,
            HealthGate gate,
            AgentAdmin agents,
            TransactionTemplate tx) {
        this.store = store;
        this.meshes = meshes;
        this.facts = facts;
        this.gate = gate;
        this.agents = agents;
        this.tx = tx;
    }

    /** Claims the lease (or renews it) and steps; returns false when another replica holds the rollout. */
    boolean step(UUID id, String owner, Duration lease) {
        Boolean done = tx.execute(status -> {
            Instant now = Instant.now();
            RolloutStore.Row before = store.find(id).orElse(null);
            if (before == null || !store.claim(id, owner, now, now.plus(lease))) {
                return false;
            }
            RolloutStore.Row row = store.lock(id).orElseThrow();
            Rollout r = row.rollout();
            String previous = before.rollout().leaseOwner();
            if (previous != null && !previous.equals(owner)) {
                store.event(
                        id,
                        "lease.taken-over",
                        null,
                        null,
                        "replica " + owner + " drives the rollout (lease of " + previous + " expired)");
            }
            if (row.nextStepAt() != null && now.isBefore(row.nextStepAt())) {
                return true;
            }
            meshes.lock(r.meshId());
            switch (r.state()) {
                case RUNNING -> running(r, now);
                case ROLLING_BACK -> rollingBack(r, now);
                default -> {
                    // nothing to drive
                }
            }
            return true;
        });
        return Boolean.TRUE.equals(done);
    }

    private void running(Rollout r, Instant now) {
        Progress p = new Progress(r);
        if (p.currentWave >= r.waveCount()) {
            complete(r, p, now);
            return;
        }
        List<AgentRow> all = store.agents(r.id());
        List<AgentRow> wave =
                all.stream().filter(a -> a.wave() == p.currentWave).toList();
        if ("PENDING".equals(p.phase)) {
            applyWave(r, p, wave, now);
        } else {
            gate(r, p, all, wave, now);
        }
    }

    private void applyWave(Rollout r, Progress p, List<AgentRow> wave, Instant now) {
        Map<UUID, Long> assigned = meshes.assignments(r.meshId());
        Map<UUID, AgentFacts.Status> status =
                facts.byPeer(wave.stream().map(AgentRow::peerId).toList());
        Map<UUID, Long> revisions = new HashMap<>();
        List<AgentRow> updated = new ArrayList<>();
        for (AgentRow a : wave) {
            AgentFacts.Status s = status.get(a.peerId());
            updated.add(a.applied(assigned.get(a.peerId()), s == null ? null : s.desiredRevision()));
            revisions.put(a.peerId(), r.targetRevision());
        }
        meshes.assign(r.networkId(), r.meshId(), revisions, "mesh.rollout.wave", detail(r, p.currentWave, wave.size()));
        // A fresh snapshot for each: the ack of a revision sent after this commit proves the agent runs the wave's
        // maps, even when the wave leaves its own config unchanged (e.g. a key that waits for the link's other end).
        resync(wave, status);
        store.updateAgents(r.id(), updated);
        waitFor(r, p, "APPLIED", now);
        store.event(
                r.id(),
                "wave.applied",
                p.currentWave,
                null,
                wave.size() + " agent(s) moved to revision " + r.targetRevision());
    }

    private void gate(Rollout r, Progress p, List<AgentRow> all, List<AgentRow> wave, Instant now) {
        Set<UUID> peers = new HashSet<>();
        wave.forEach(a -> {
            peers.add(a.peerId());
            peers.addAll(a.gatePeers());
        });
        Map<UUID, AgentFacts.Status> status = facts.byPeer(peers);
        Map<UUID, AgentRow> inRollout = new HashMap<>();
        all.forEach(a -> inRollout.put(a.peerId(), a));
        List<AgentRow> updated = new ArrayList<>();
        Map<UUID, String> problems = new LinkedHashMap<>();
        // Acknowledgements of the whole wave first, then the links: checked in one walk, a link between two agents
        // that both ack in this pass was skipped by the first of them (the other still looked APPLIED) and passed
        // unchecked by the second, so a wave whose agents all acked at once passed without a handshake on any link.
        Map<UUID, AgentRow> acked = new HashMap<>();
        for (AgentRow a : wave) {
            AgentRow cur = a;
            AgentFacts.Status s = status.get(a.peerId());
            if (cur.step() == AgentStep.APPLIED) {
                if (s == null) {
                    cur = cur.with(AgentStep.ACKED, "not enrolled: nothing to push");
                } else if (s.ackedAfter(cur.desiredBefore())) {
                    cur = cur.with(AgentStep.ACKED, null);
                } else {
                    problems.put(a.peerId(), ackProblem(s));
                }
                if (cur.step() == AgentStep.ACKED) {
                    store.event(r.id(), "agent.acked", p.currentWave, a.peerId(), cur.detail());
                }
            }
            acked.put(a.peerId(), cur);
            inRollout.put(a.peerId(), cur);
        }
        for (AgentRow a : wave) {
            AgentRow cur = acked.get(a.peerId());
            AgentFacts.Status s = status.get(a.peerId());
            if (cur.step() == AgentStep.ACKED) {
                Optional<String> unhealthy = r.healthGates() && s != null
                        ? linkProblem(cur, inRollout, status, p.waveStartedAt)
                        : Optional.empty();
                if (unhealthy.isEmpty()) {
                    cur = cur.with(AgentStep.HEALTHY, cur.detail());
                    if (r.healthGates()) {
                        store.event(r.id(), "agent.healthy", p.currentWave, a.peerId(), null);
                    }
                } else {
                    problems.put(a.peerId(), unhealthy.get());
                }
            }
            if (cur != a) {
                updated.add(cur);
            }
        }
        if (problems.isEmpty()) {
            store.updateAgents(r.id(), updated);
            store.event(
                    r.id(),
                    "wave.passed",
                    p.currentWave,
                    null,
                    wave.size() + " agent(s) acknowledged" + (r.healthGates() ? " and healthy" : ""));
            p.currentWave++;
            p.phase = "PENDING";
            p.waveStartedAt = null;
            Instant next = p.currentWave >= r.waveCount() ? now : now.plusSeconds(r.pauseSeconds());
            store.save(r.id(), p, next, now);
            if (p.currentWave >= r.waveCount()) {
                complete(r, p, now);
            }
            return;
        }
        if (now.isBefore(p.waveStartedAt.plusSeconds(r.gateTimeoutSeconds()))) {
            store.updateAgents(r.id(), updated);
            store.save(r.id(), p, now.plus(CHECK_EVERY), now);
            return;
        }
        List<AgentRow> failed = new ArrayList<>(updated);
        for (AgentRow a : wave) {
            String problem = problems.get(a.peerId());
            if (problem != null) {
                failed.removeIf(u -> u.peerId().equals(a.peerId()));
                AgentRow base = updated.stream()
                        .filter(u -> u.peerId().equals(a.peerId()))
                        .findFirst()
                        .orElse(a);
                failed.add(base.with(AgentStep.FAILED, problem));
                store.event(r.id(), "agent.failed", p.currentWave, a.peerId(), problem);
            }
        }
        store.updateAgents(r.id(), failed);
        p.state = RolloutState.PAUSED;
        p.reason = "wave " + p.currentWave + " failed its gate within " + r.gateTimeoutSeconds() + " s: "
                + problems.size() + " of " + wave.size() + " agent(s): " + String.join("; ", summary(problems));
        store.save(r.id(), p, null, now);
        store.event(r.id(), "wave.gate-failed", p.currentWave, null, p.reason);
        store.event(r.id(), "rollout.paused", p.currentWave, null, "resume, abort or roll back");
    }

    private static List<String> summary(Map<UUID, String> problems) {
        return problems.entrySet().stream()
                .limit(10)
                .map(e -> "agent peer " + e.getKey() + ": " + e.getValue())
                .toList();
    }

    private static String ackProblem(AgentFacts.Status s) {
        if (!s.online()) {
            return "agent offline: no acknowledgement";
        }
        if (s.lastError() != null && !s.lastError().isBlank()) {
            return "agent failed to apply: " + s.lastError();
        }
        return "no acknowledgement of the new revision yet";
    }

    /** The first unhealthy gated link of an acked agent, among links whose other end is already on the target. */
    private Optional<String> linkProblem(
            AgentRow a, Map<UUID, AgentRow> inRollout, Map<UUID, AgentFacts.Status> status, Instant since) {
        for (UUID peer : a.gatePeers()) {
            AgentRow other = inRollout.get(peer);
            boolean otherReady = other == null
                    || other.step() == AgentStep.ACKED
                    || other.step() == AgentStep.HEALTHY
                    || other.step() == AgentStep.FAILED && other.wave() < a.wave();
            if (!otherReady || !status.containsKey(peer)) {
                continue; // the link completes when the other end's wave comes (or it runs no agent)
            }
            Optional<String> problem = gate.problem(a.peerId(), peer, since);
            if (problem.isPresent()) {
                return Optional.of("link to peer " + peer + ": " + problem.get());
            }
        }
        return Optional.empty();
    }

    private void complete(Rollout r, Progress p, Instant now) {
        meshes.stable(
                r.networkId(), r.meshId(), r.targetRevision(), "mesh.rollout.completed", detail(r, r.waveCount(), 0));
        p.state = RolloutState.COMPLETED;
        p.phase = null;
        p.reason = "every wave passed";
        store.save(r.id(), p, null, now);
        store.event(r.id(), "rollout.completed", null, null, "revision " + r.targetRevision() + " is stable");
    }

    private void rollingBack(Rollout r, Instant now) {
        Progress p = new Progress(r);
        List<AgentRow> touched =
                store.agents(r.id()).stream().filter(a -> a.step().touched()).toList();
        Map<UUID, AgentFacts.Status> status =
                facts.byPeer(touched.stream().map(AgentRow::peerId).toList());
        if ("REVERT_PENDING".equals(p.phase)) {
            Map<UUID, Long> revisions = new HashMap<>();
            List<AgentRow> updated = new ArrayList<>();
            for (AgentRow a : touched) {
                revisions.put(a.peerId(), a.previousRevision());
                AgentFacts.Status s = status.get(a.peerId());
                updated.add(a.reverting(s == null ? null : s.desiredRevision()));
            }
            Map<String, Object> d = detail(r, p.currentWave, touched.size());
            meshes.assign(r.networkId(), r.meshId(), revisions, "mesh.rollout.rollback", d);
            if (meshes.get(r.networkId(), r.meshId()).stableRevision() != r.fromStableRevision()) {
                meshes.stable(r.networkId(), r.meshId(), r.fromStableRevision(), "mesh.rollout.rollback", d);
            }
            resync(touched, status);
            store.updateAgents(r.id(), updated);
            waitFor(r, p, "REVERTED", now);
            store.event(
                    r.id(),
                    "rollback.applied",
                    null,
                    null,
                    touched.size() + " agent(s) restored to their previous revision");
            return;
        }
        List<AgentRow> updated = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (AgentRow a : touched) {
            if (a.step() != AgentStep.REVERTING) {
                continue;
            }
            AgentFacts.Status s = status.get(a.peerId());
            String detail = null;
            if (s == null) {
                detail = "not enrolled";
            } else if (!s.online()) {
                detail = "offline: gets the restored config when it reconnects";
            } else if (!s.ackedAfter(a.desiredBefore())) {
                waiting.add(a.peerId().toString());
                continue;
            }
            updated.add(a.with(AgentStep.REVERTED, detail));
            store.event(r.id(), "agent.reverted", a.wave(), a.peerId(), detail);
        }
        store.updateAgents(r.id(), updated);
        boolean timedOut = !now.isBefore(p.waveStartedAt.plusSeconds(r.gateTimeoutSeconds()));
        if (waiting.isEmpty() || timedOut) {
            p.state = RolloutState.ROLLED_BACK;
            p.phase = null;
            p.reason = waiting.isEmpty()
                    ? "every touched agent runs its previous revision again"
                    : "restored; not yet acknowledged by agent peer(s) " + String.join(", ", waiting);
            store.save(r.id(), p, null, now);
            store.event(r.id(), "rollback.completed", null, null, p.reason);
        } else {
            store.save(r.id(), p, now.plus(CHECK_EVERY), now);
        }
    }

    /** Asks each enrolled agent's replica for a fresh snapshot (goes out when this transaction commits). */
    private void resync(List<AgentRow> rows, Map<UUID, AgentFacts.Status> status) {
        for (AgentRow a : rows) {
            AgentFacts.Status s = status.get(a.peerId());
            if (s != null) {
                agents.resync(s.agentId());
            }
        }
    }

    /** Enters a phase that waits for acks, timed from now. */
    private void waitFor(Rollout r, Progress p, String phase, Instant now) {
        p.phase = phase;
        p.waveStartedAt = now;
        store.save(r.id(), p, now.plus(CHECK_EVERY), now);
    }

    private static Map<String, Object> detail(Rollout r, int wave, int agentCount) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("rolloutId", r.id().toString());
        d.put("revision", r.targetRevision());
        d.put("wave", wave);
        d.put("agents", agentCount);
        return d;
    }
}
