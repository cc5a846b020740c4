package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.agentapi.MeshView.PeerRow;
import dev.wgmesh.controller.mesh.MeshSnapshot;
import dev.wgmesh.proto.v1.Control;
import dev.wgmesh.proto.v1.Hello;
import dev.wgmesh.proto.v1.Revoked;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The agents connected to this replica and the incremental fan-out of changes to them.
 *
 * <p>Every mutation of the mesh views and of sessions' desired state runs on one fan-out thread, in the order of the
 * change outbox, so no two changes interleave. A change to one peer reloads that one row and touches only the
 * sessions of its network, each with one map entry (index: a peer appears in the maps of the agents of its network,
 * see {@link NetworkMaps}); only network or site changes and the agent's own peer recompute whole maps.
 */
@Component
class AgentHub implements AgentSession.Listener, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(AgentHub.class);
    private static final int RESUME_STATES = 20_000;
    /**
     * A new device needs a preshared key per link before any agent can be sent its entry; making them all first put
     * ~130 ms of sealing and inserting (1,000 agents) ahead of every send. Keys are made in parts of doubling size
     * instead, each part's agents sent to at once, so the sends and TLS of one part overlap the next part's database
     * round trip and the first agents wait for 64 keys, not all. Parts: 64, 128, 256, ... (few round trips overall).
     */
    static final int FIRST_KEY_BATCH = 64;

    private final MeshLoader loader;
    private final NetworkMaps maps;
    private final AgentStore store;
    private final AgentStateWriter writer;
    private final RevisionBlocks revisions;
    private final ReplicaId replica;
    private final ChangeOutbox outbox;
    private final AgentEvents events;
    private final ExecutorService fanout = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("agent-fanout").daemon().factory());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(
            2, Thread.ofPlatform().name("agent-send-", 0).daemon().factory());
    private final Map<UUID, AgentSession> sessions = new ConcurrentHashMap<>();
    private final Map<UUID, Set<AgentSession>> byNetwork = new ConcurrentHashMap<>();
    private final Map<UUID, MeshView> views = new ConcurrentHashMap<>();
    private final Map<UUID, AgentSession.SentState> resume =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, AgentSession.SentState> eldest) {
                    return size() > RESUME_STATES;
                }
            });
    private final Timer syncLag;
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private final Timer fanoutWall;
    private final io.micrometer.core.instrument.Counter fanoutCpu;

    AgentHub(
            MeshLoader loader,
            NetworkMaps maps,
            AgentStore store,
            AgentStateWriter writer,
            RevisionBlocks revisions,
            ReplicaId replica,
            ChangeOutbox outbox,
            AgentEvents events,
            MeterRegistry meters) {
        this.loader = loader;
        this.maps = maps;
        this.store = store;
        this.writer = writer;
        this.revisions = revisions;
        this.replica = replica;
        this.outbox = outbox;
        this.events = events;
        Gauge.builder("wgmesh.agents.connected", sessions, Map::size)
                .description("Agents with a Sync stream on this replica")
                .register(meters);
        Gauge.builder("wgmesh.agent.update.queue.size", this, AgentHub::pendingCount)
                .description("Agents with a configuration change waiting to be sent")
                .register(meters);
        this.syncLag = Timer.builder("wgmesh.sync.lag")
                .description("From a configuration change reaching this replica to the agent's ack")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(meters);
        this.fanoutWall = Timer.builder("wgmesh.agent.fanout")
                .description("Time the fan-out thread spent on one change event (recomputing the maps it touches)")
                .register(meters);
        this.fanoutCpu = io.micrometer.core.instrument.Counter.builder("wgmesh.agent.fanout.cpu")
                .baseUnit("seconds")
                .description("CPU time of the fan-out thread spent on change events")
                .register(meters);
        scheduler.scheduleWithFixedDelay(this::keepalives, 5, 5, TimeUnit.SECONDS);
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    private double pendingCount() {
        return sessions.values().stream().filter(AgentSession::pending).count();
    }

    /** The mesh view of a network with agents on this replica (stats ingestion names links by it). */
    Optional<MeshView> view(UUID networkId) {
        return Optional.ofNullable(views.get(networkId));
    }

    int connected() {
        return sessions.size();
    }

    Optional<AgentSession> session(UUID agentId) {
        return Optional.ofNullable(sessions.get(agentId));
    }

    /** Registers a session after its Hello, superseding any earlier stream of the agent on this replica. */
    void attach(AgentSession s, Hello hello) {
        fanout.execute(() -> {
            try {
                doAttach(s, hello);
            } catch (RuntimeException ex) {
                log.warn("Could not start the session of agent {}", s.agentId, ex);
                closeAndDetach(s, Status.INTERNAL.withDescription("could not compute the configuration"));
            }
        });
    }

    private void doAttach(AgentSession s, Hello hello) {
        if (s.closed()) {
            return;
        }
        MeshView view = views.get(s.networkId);
        if (view == null) {
            Optional<MeshView> loaded = loader.load(s.networkId);
            if (loaded.isEmpty()) {
                s.close(Status.PERMISSION_DENIED.withDescription("the agent's network no longer exists"));
                return;
            }
            view = loaded.get();
            views.put(s.networkId, view);
            maps.mesh().forget(s.networkId); // the mesh is read afresh with the view
        }
        PeerRow self = view.peer(s.peerId).orElse(null);
        if (self == null) {
            // A cached view may not have the agent's peer yet: the Hello of a freshly enrolled agent can come before
            // the change event of its enrolment. Reload the row now, as that event will (it then changes nothing).
            refreshPeer(s.networkId, s.peerId);
            self = view.peer(s.peerId).orElse(null);
        }
        if (self == null) {
            closeAndDetach(s, Status.PERMISSION_DENIED.withDescription("the agent's peer was deleted"));
            return;
        }
        if (store.credential(s.agentId).map(c -> c.revokedAt() != null).orElse(true)) {
            // Revoked after the stream authenticated: the revocation event may already have been processed, so this
            // check (on the fan-out thread, like that event) is what keeps a racing stream out.
            cutOff(s);
            return;
        }
        AgentSession old = sessions.put(s.agentId, s);
        if (old != null && old != s) {
            // Synchronized with the old session's sends: once closed, it sends nothing more. Its revisions need not be
            // written first: the new session numbers from a block reserved above the old one's (RevisionBlocks).
            old.close(Status.ABORTED.withDescription("superseded by a newer stream of the same agent"));
            byNetwork.getOrDefault(old.networkId, Set.of()).remove(old);
        }
        byNetwork
                .computeIfAbsent(s.networkId, k -> ConcurrentHashMap.newKeySet())
                .add(s);
        store.markOnline(s.agentId, s.sessionId, s.startedAt, replica.id(), hello.getAgentVersion());
        outbox.append(s.networkId, "agent", s.agentId.toString(), "agent.session");
        // After markOnline: the block is reserved only while this session owns the row.
        Optional<RevisionBlocks.Reserved> block = revisions.reserve(s.agentId, s.sessionId, hello.getAppliedRevision());
        if (block.isEmpty()) {
            closeAndDetach(s, Status.ABORTED.withDescription("superseded by a newer stream of the same agent"));
            return;
        }
        // What the agent says it runs is its applied state, also when the Ack of it was lost with the last stream
        // (otherwise a session that finds the agent in sync sends nothing and the stale applied state stays).
        // Recorded before the session can send, so any Ack of this session overrides it.
        if (hello.getAppliedRevision() > 0) {
            writer.applied(s.agentId, s.sessionId, hello.getAppliedRevision(), hello.getAppliedConfigHash(), null);
        }
        s.start(
                maps.interfaceOf(view, self),
                maps.entries(view, self),
                hello.getAppliedRevision(),
                hello.getAppliedConfigHash(),
                block.get(),
                resume.remove(s.agentId));
        events.agentChanged(s.agentId);
    }

    /** Server-side end of a stream: gRPC reports no cancellation for it, so the hub forgets the session itself. */
    private void closeAndDetach(AgentSession s, Status status) {
        s.close(status);
        detach(s);
    }

    /** The stream ended (either side). Offline only if this is still the agent's current session (fencing). */
    void detach(AgentSession s) {
        s.ended();
        fanout.execute(() -> {
            if (sessions.remove(s.agentId, s)) {
                AgentSession.SentState state = s.sentState();
                if (state != null) {
                    resume.put(s.agentId, state);
                }
            }
            Set<AgentSession> net = byNetwork.get(s.networkId);
            if (net != null) {
                net.remove(s);
                if (net.isEmpty()) {
                    byNetwork.remove(s.networkId);
                    views.remove(s.networkId);
                }
            }
            writer.flush(); // applied revision of the last acks before the offline mark
            if (store.markOffline(s.agentId, s.sessionId)) {
                outbox.append(s.networkId, "agent", s.agentId.toString(), "agent.offline");
            }
        });
    }

    /**
     * An Ack of {@code s}: the lag metric. The applied state is written by {@link AgentStateWriter}, only while
     * {@code s} is the agent's current session (a late Ack of a superseded one never overwrites a newer Hello's).
     */
    void acked(AgentSession s, long revision, boolean success, String hash, String error) {
        long lag = s.acked(revision, success);
        if (lag >= 0) {
            syncLag.record(lag, TimeUnit.NANOSECONDS);
        }
        writer.applied(s.agentId, s.sessionId, revision, hash, success ? null : error);
    }

    @Override
    public void sent(AgentSession s, long revision, String hash) {
        writer.desired(s.agentId, revision, hash);
    }

    @Override
    public void lowOnRevisions(AgentSession s) {
        writer.refill(s);
    }

    @Override
    public long reserveRevisions(AgentSession s) {
        return revisions
                .reserve(s.agentId, s.sessionId, 0)
                .map(RevisionBlocks.Reserved::ceiling)
                .orElse(0L);
    }

    /** Change events from the outbox, in order. */
    void changed(List<ChangeEvent> batch) {
        fanout.execute(() -> {
            for (ChangeEvent e : batch) {
                long wall = System.nanoTime();
                long cpu = THREADS.getCurrentThreadCpuTime();
                try {
                    apply(e);
                } catch (RuntimeException ex) {
                    log.warn("Could not apply change {} {} {}", e.action(), e.targetType(), e.targetId(), ex);
                }
                fanoutWall.record(System.nanoTime() - wall, TimeUnit.NANOSECONDS);
                fanoutCpu.increment((THREADS.getCurrentThreadCpuTime() - cpu) / 1e9);
            }
        });
    }

    private void apply(ChangeEvent e) {
        if ("agent".equals(e.targetType())) {
            applyAgentEvent(e);
            return;
        }
        if ("mesh".equals(e.targetType())) {
            meshChanged(e.networkId());
            return;
        }
        if (e.networkId() == null) {
            return;
        }
        Set<AgentSession> local = byNetwork.get(e.networkId());
        MeshView view = views.get(e.networkId());
        if (local == null || local.isEmpty() || view == null) {
            return; // no agent of this network here: nothing to compute
        }
        switch (e.targetType()) {
            case "peer" -> peerChanged(view, local, UUID.fromString(e.targetId()));
            case "site" -> {
                UUID siteId = UUID.fromString(e.targetId());
                loader.site(siteId).ifPresentOrElse(view::putSite, () -> view.removeSite(siteId));
                recomputeAll(view, local);
            }
            case "network" -> {
                Optional<MeshView.NetRow> net = loader.network(e.networkId());
                if (net.isEmpty()) {
                    List.copyOf(local)
                            .forEach(s ->
                                    closeAndDetach(s, Status.PERMISSION_DENIED.withDescription("network deleted")));
                    return;
                }
                view.network(net.get());
                recomputeAll(view, local);
            }
            default -> {
                // other audit targets do not change network maps
            }
        }
    }

    /** A revoked agent is told so (and to remove its peers), then its stream ends. */
    private void cutOff(AgentSession s) {
        s.control(Control.newBuilder()
                .setRevoked(Revoked.newBuilder()
                        .setReason("the agent's credential was revoked")
                        .setTearDown(true))
                .build());
        closeAndDetach(s, Status.PERMISSION_DENIED.withDescription("credential revoked"));
    }

    /** Reloads one peer row and propagates it, when agents of its network are served here. */
    private void refreshPeer(UUID networkId, UUID peerId) {
        Set<AgentSession> local = byNetwork.get(networkId);
        MeshView view = views.get(networkId);
        if (local != null && !local.isEmpty() && view != null) {
            peerChanged(view, local, peerId);
        }
    }

    private void peerChanged(MeshView view, Set<AgentSession> local, UUID peerId) {
        PeerRow before = view.peer(peerId).orElse(null);
        PeerRow after = loader.peer(peerId).orElse(null);
        if (after == null) {
            view.removePeer(peerId);
            maps.forgetPeer(peerId);
        } else {
            view.putPeer(after);
        }
        PeerRow any = after != null ? after : before;
        if (any == null) {
            return;
        }
        boolean agent = any.agent();
        Set<UUID> sitePeers = new HashSet<>(); // agents whose LAN prefixes may move with this change
        if (agent) {
            for (UUID site :
                    new UUID[] {before == null ? null : before.siteId(), after == null ? null : after.siteId()}) {
                if (site != null) {
                    view.agentsOfSite(site).forEach(p -> sitePeers.add(p.id()));
                }
            }
            sitePeers.addAll(maps.mesh().alsoAffected(view, any));
            sitePeers.remove(peerId);
        }
        PeerChange change = new PeerChange(peerId, ByteString.copyFrom(any.publicKey()), after, agent, sitePeers);
        List<AgentSession> targets = List.copyOf(local);
        boolean device = after != null && !agent;
        int batch = device ? FIRST_KEY_BATCH : targets.size();
        for (int from = 0; from < targets.size(); from += batch, batch *= 2) {
            List<AgentSession> part = targets.subList(from, Math.min(targets.size(), from + batch));
            if (device) {
                List<PeerRow> selves = new ArrayList<>(part.size());
                part.forEach(s -> view.peer(s.peerId).ifPresent(selves::add));
                maps.preloadDevice(after, selves); // one batch of keys per part, not a query per agent
            }
            for (AgentSession s : part) {
                peerChangedFor(s, view, change);
            }
        }
    }

    /**
     * One peer's change as the agents' maps see it.
     *
     * @param after the peer's row now, null when it was deleted
     * @param agent whether the peer is an agent (its change may move routes and site LAN prefixes)
     * @param sitePeers the other agents whose entries may change with it (site LAN prefixes, mesh)
     */
    private record PeerChange(UUID peerId, ByteString key, PeerRow after, boolean agent, Set<UUID> sitePeers) {}

    /** {@code s}'s part of {@link #peerChanged}: its entry for the peer (and the affected agents'), then its send. */
    private void peerChangedFor(AgentSession s, MeshView view, PeerChange c) {
        PeerRow self = view.peer(s.peerId).orElse(null);
        if (self == null) {
            closeAndDetach(s, Status.PERMISSION_DENIED.withDescription("the agent's peer was deleted"));
            return;
        }
        if (s.peerId.equals(c.peerId())) {
            s.replaceAll(maps.interfaceOf(view, self), maps.entries(view, self));
            s.submit();
            return;
        }
        s.apply(
                c.key(),
                c.after() == null ? null : maps.entry(view, self, c.after()).orElse(null));
        if (c.agent()) {
            s.applyInterface(maps.interfaceOf(view, self));
            for (UUID other : c.sitePeers()) {
                view.peer(other)
                        .ifPresent(p -> s.apply(
                                ByteString.copyFrom(p.publicKey()),
                                maps.entry(view, self, p).orElse(null)));
            }
        }
        s.submit();
    }

    /**
     * A mesh changed (rollout wave, rollback, key rotation, deletion): agents whose revision changed get their whole
     * map again, every other agent only its entries for them (an entry follows its owner's revision, see MeshMaps).
     */
    private void meshChanged(UUID networkId) {
        if (networkId == null) {
            return;
        }
        MeshSnapshot.Change change = maps.mesh().reload(networkId);
        Set<AgentSession> local = byNetwork.get(networkId);
        MeshView view = views.get(networkId);
        if (local == null || local.isEmpty() || view == null || change.none()) {
            return;
        }
        if (change.all()) {
            recomputeAll(view, local);
            return;
        }
        Set<UUID> affected = maps.mesh().affected(view, change);
        for (AgentSession s : List.copyOf(local)) {
            PeerRow self = view.peer(s.peerId).orElse(null);
            if (self == null) {
                continue;
            }
            if (affected.contains(s.peerId)) {
                s.replaceAll(maps.interfaceOf(view, self), maps.entries(view, self));
            } else {
                for (UUID id : affected) {
                    view.peer(id)
                            .ifPresent(p -> s.apply(
                                    ByteString.copyFrom(p.publicKey()),
                                    maps.entry(view, self, p).orElse(null)));
                }
            }
            s.submit(); // the session sends only what its writer submitted: one revision per mesh change
        }
    }

    private void recomputeAll(MeshView view, Set<AgentSession> local) {
        for (AgentSession s : local) {
            view.peer(s.peerId).ifPresent(self -> s.replaceAll(maps.interfaceOf(view, self), maps.entries(view, self)));
            s.submit();
        }
    }

    private void applyAgentEvent(ChangeEvent e) {
        UUID agentId;
        try {
            agentId = UUID.fromString(e.targetId());
        } catch (IllegalArgumentException ex) {
            return;
        }
        AgentSession s = sessions.get(agentId);
        switch (e.action()) {
            case "agent.session" -> {
                if (s != null
                        && !store.currentSession(agentId)
                                .map(s.sessionId::equals)
                                .orElse(false)) {
                    // The agent opened a newer stream on another replica: this one is stale.
                    // Not offline: the newer session owns the presence row (fencing in detach).
                    closeAndDetach(s, Status.ABORTED.withDescription("superseded by a newer stream of the same agent"));
                }
            }
            case "agent.revoked" -> {
                if (s != null) {
                    cutOff(s);
                }
                // Every replica drops the revoked agent's peer from the maps of the agents it serves.
                store.credential(agentId).ifPresent(c -> refreshPeer(c.networkId(), c.peerId()));
            }
            case "agent.resync" -> {
                if (s != null) {
                    s.resync();
                    s.submit();
                }
            }
            default -> {
                // presence changes are for the SSE stream only
            }
        }
        events.agentChanged(agentId);
    }

    private void keepalives() {
        long interval = TimeUnit.SECONDS.toNanos(15);
        for (AgentSession s : List.copyOf(sessions.values())) {
            if (s.silentNanos() > 3 * interval) {
                closeAndDetach(s, Status.UNAVAILABLE.withDescription("no message from the agent for 45 s"));
            } else {
                s.keepaliveIfIdle(interval);
                writer.seen(s.agentId, s.sessionId);
            }
        }
    }

    /** Ends every stream, asking agents to reconnect (elsewhere) after a short delay. */
    void shutdown() {
        for (AgentSession s : new ArrayList<>(sessions.values())) {
            s.control(Control.newBuilder()
                    .setReconnect(dev.wgmesh.proto.v1.Reconnect.newBuilder().setDelayMs(1000))
                    .build());
            s.close(Status.UNAVAILABLE.withDescription("controller shutting down"));
            store.markOffline(s.agentId, s.sessionId);
        }
        sessions.clear();
    }

    /** For tests: runs after everything queued on the fan-out thread so far. */
    void awaitFanout() throws Exception {
        fanout.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void destroy() {
        fanout.shutdownNow();
        scheduler.shutdownNow();
    }
}
