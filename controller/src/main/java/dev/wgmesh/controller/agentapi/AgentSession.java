package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.Control;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.Keepalive;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.Snapshot;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One agent's Sync stream on this replica: the configuration the agent should run (desired), what it was last sent,
 * and the sending discipline.
 *
 * <p>Update queue: the desired state itself, so the writer (fan-out thread) never blocks and memory per agent is
 * bounded by its configuration, whatever the change rate. Coalescing: the first change after a quiet period is sent
 * at once; later ones within {@link #COALESCE_NANOS} wait and go out together as one revision (NetBird's pattern).
 * Back-pressure: nothing is sent while gRPC's outbound buffer is full ({@code isReady()} false); the on-ready
 * callback flushes. Control messages bypass all of this and are never dropped.
 *
 * <p>Thread-safety: every method is synchronized; gRPC's outbound observer is not thread-safe.
 */
final class AgentSession {
    static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Revisions whose change time is remembered for the sync-lag metric. */
    private static final int LAG_TRACKED = 64;

    /** What a session reports after sending (to persist desired revision/hash, to measure lag). */
    interface Listener {
        void sent(AgentSession session, long revision, String hash);
    }

    /** The state an agent has once it applied what this session sent: kept by the registry for a resume. */
    record SentState(long revision, String hash, InterfaceConfig iface, Map<ByteString, ConfigEntry> peers) {}

    final UUID agentId;
    final UUID peerId;
    final UUID networkId;
    final UUID sessionId;
    final Instant startedAt;
    final boolean deltas;
    private final ServerCallStreamObserver<ControllerMessage> out;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;

    private InterfaceConfig iface = InterfaceConfig.getDefaultInstance();
    private byte[] ifaceField = ConfigEntry.interfaceField(iface);
    private final TreeMap<ByteString, ConfigEntry> desired =
            new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    private final Set<ByteString> changed = new HashSet<>();
    private boolean needSnapshot = true;

    private InterfaceConfig sentIface;
    private final Map<ByteString, ConfigEntry> sent = new HashMap<>();
    private long sentRevision;
    private long counter;
    private String sentHash;

    private long lastFlushNanos = Long.MIN_VALUE / 2;
    private boolean flushScheduled;
    private long firstUnsentChangeNanos;
    private final LinkedHashMap<Long, Long> changeNanosByRevision = new LinkedHashMap<>();
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long lastSentNanos = System.nanoTime();
    private volatile boolean closed;

    AgentSession(
            UUID agentId,
            UUID peerId,
            UUID networkId,
            boolean deltas,
            ServerCallStreamObserver<ControllerMessage> out,
            ScheduledExecutorService scheduler,
            Listener listener) {
        this.agentId = agentId;
        this.peerId = peerId;
        this.networkId = networkId;
        this.sessionId = UUID.randomUUID();
        this.startedAt = Instant.now();
        this.deltas = deltas;
        this.out = out;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    /**
     * First configuration of the session. Sends nothing when the agent already runs it (same hash), the difference
     * as one Delta when the agent runs the state this replica last sent it ({@code resume}), otherwise a Snapshot.
     *
     * @param storedRevision the desired revision recorded in the database (revisions stay monotonic across replicas)
     */
    synchronized void start(
            InterfaceConfig iface,
            Collection<ConfigEntry> entries,
            long appliedRevision,
            String appliedHash,
            long storedRevision,
            SentState resume) {
        setAll(iface, entries);
        changed.clear();
        counter = Math.max(storedRevision, appliedRevision);
        String hash = ConfigEntry.hash(ifaceField, desired.values());
        if (appliedRevision > 0 && hash.equals(appliedHash)) {
            adoptSent(appliedRevision, hash, this.iface, desired);
            needSnapshot = false;
        } else if (deltas
                && resume != null
                && resume.revision() == appliedRevision
                && resume.hash().equals(appliedHash)) {
            adoptSent(resume.revision(), resume.hash(), resume.iface(), resume.peers());
            changed.addAll(desired.keySet());
            changed.addAll(sent.keySet());
            needSnapshot = false;
            markDirty();
        } else {
            needSnapshot = true;
            markDirty();
        }
        submit();
    }

    private void adoptSent(long revision, String hash, InterfaceConfig i, Map<ByteString, ConfigEntry> peers) {
        sentRevision = revision;
        sentHash = hash;
        sentIface = i;
        sent.clear();
        sent.putAll(peers);
    }

    /** Replaces the whole desired configuration (network or site change, own peer changed). */
    synchronized void replaceAll(InterfaceConfig newIface, Collection<ConfigEntry> entries) {
        Set<ByteString> before = new HashSet<>(desired.keySet());
        Map<ByteString, ConfigEntry> old = new HashMap<>(desired);
        setAll(newIface, entries);
        for (ByteString k : before) {
            if (!desired.containsKey(k)) {
                changed.add(k);
            }
        }
        for (Map.Entry<ByteString, ConfigEntry> e : desired.entrySet()) {
            if (!e.getValue().sameAs(old.get(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        markDirty();
    }

    private void setAll(InterfaceConfig newIface, Collection<ConfigEntry> entries) {
        setInterface(newIface);
        desired.clear();
        for (ConfigEntry e : entries) {
            desired.put(e.config().getPublicKey(), e);
        }
    }

    /** Upserts ({@code entry} non-null) or removes one peer by public key. */
    synchronized void apply(ByteString publicKey, ConfigEntry entry) {
        ConfigEntry old = entry == null ? desired.remove(publicKey) : desired.put(publicKey, entry);
        if (entry == null ? old != null : !entry.sameAs(old)) {
            changed.add(publicKey);
            markDirty();
        }
    }

    /** Sends the whole desired configuration again as a Snapshot (re-converges an agent that drifted). */
    synchronized void resync() {
        needSnapshot = true;
        markDirty();
    }

    synchronized void applyInterface(InterfaceConfig newIface) {
        if (!newIface.equals(iface)) {
            setInterface(newIface);
            markDirty();
        }
    }

    private void setInterface(InterfaceConfig newIface) {
        iface = newIface;
        ifaceField = ConfigEntry.interfaceField(newIface);
    }

    /** Records that the desired state moved; sent once the writer calls {@link #submit} (or at start/nack). */
    private void markDirty() {
        if (firstUnsentChangeNanos == 0) {
            firstUnsentChangeNanos = System.nanoTime();
        }
    }

    /**
     * The writer is done with one change: what it did to this session goes out together, as one revision (a peer
     * removal and the route change it implies never arrive as two).
     */
    synchronized void submit() {
        if (firstUnsentChangeNanos != 0) {
            scheduleFlush();
        }
    }

    private void scheduleFlush() {
        if (flushScheduled || closed) {
            return;
        }
        flushScheduled = true;
        long delay = Math.max(0, lastFlushNanos + COALESCE_NANOS - System.nanoTime());
        scheduler.schedule(this::flush, delay, TimeUnit.NANOSECONDS);
    }

    /** True while a change waits to be sent (the update-queue gauge). */
    synchronized boolean pending() {
        return needSnapshot || !changed.isEmpty() || (sentIface != null && !iface.equals(sentIface));
    }

    /** Sends what changed since the last send as one revision (Snapshot when needed or without delta support). */
    synchronized void flush() {
        flushScheduled = false;
        if (closed) {
            return;
        }
        if (!out.isReady()) {
            return; // the on-ready handler calls flush again
        }
        lastFlushNanos = System.nanoTime();
        ControllerMessage message;
        long revision;
        String hash = ConfigEntry.hash(ifaceField, desired.values());
        if (needSnapshot || !deltas || sentIface == null) {
            if (!needSnapshot && hash.equals(sentHash)) {
                changed.clear();
                firstUnsentChangeNanos = 0;
                return;
            }
            revision = ++counter;
            message = ControllerMessage.newBuilder()
                    .setSnapshot(Snapshot.newBuilder()
                            .setRevision(revision)
                            .setConfig(NetworkConfig.newBuilder()
                                    .setInterfaceConfig(iface)
                                    .addAllPeers(desired.values().stream()
                                            .map(ConfigEntry::config)
                                            .toList()))
                            .setConfigHash(hash))
                    .build();
            adoptSent(revision, hash, iface, desired);
            needSnapshot = false;
        } else {
            Delta.Builder d = Delta.newBuilder();
            if (!iface.equals(sentIface)) {
                d.setInterfaceConfig(iface);
            }
            for (ByteString key : changed) {
                ConfigEntry want = desired.get(key);
                ConfigEntry have = sent.get(key);
                if (want == null && have != null) {
                    d.addRemovedPeerKeys(key);
                } else if (want != null && !want.sameAs(have)) {
                    d.addUpsertedPeers(want.config());
                }
            }
            if (!d.hasInterfaceConfig() && d.getUpsertedPeersCount() == 0 && d.getRemovedPeerKeysCount() == 0) {
                changed.clear();
                firstUnsentChangeNanos = 0;
                return;
            }
            revision = ++counter;
            message = ControllerMessage.newBuilder()
                    .setDelta(d.setFromRevision(sentRevision)
                            .setRevision(revision)
                            .setConfigHash(hash))
                    .build();
            for (ByteString key : changed) {
                ConfigEntry want = desired.get(key);
                if (want == null) {
                    sent.remove(key);
                } else {
                    sent.put(key, want);
                }
            }
            sentIface = iface;
            sentRevision = revision;
            sentHash = hash;
        }
        changed.clear();
        changeNanosByRevision.put(revision, firstUnsentChangeNanos);
        if (changeNanosByRevision.size() > LAG_TRACKED) {
            changeNanosByRevision.remove(
                    changeNanosByRevision.keySet().iterator().next());
        }
        firstUnsentChangeNanos = 0;
        send(message);
        listener.sent(this, revision, hash);
    }

    /** Control messages are sent at once, whatever the outbound buffer says: they are rare and must not be lost. */
    synchronized void control(Control control) {
        send(ControllerMessage.newBuilder().setControl(control).build());
    }

    synchronized void keepaliveIfIdle(long idleNanos) {
        if (System.nanoTime() - lastSentNanos >= idleNanos) {
            send(ControllerMessage.newBuilder()
                    .setKeepalive(Keepalive.newBuilder().setTimeUnixMs(System.currentTimeMillis()))
                    .build());
        }
    }

    private void send(ControllerMessage message) {
        if (closed) {
            return;
        }
        try {
            out.onNext(message);
            lastSentNanos = System.nanoTime();
        } catch (RuntimeException ex) {
            closed = true; // the call was cancelled under us
        }
    }

    /**
     * An Ack arrived.
     *
     * @return nanoseconds from the first change in the acknowledged revision to now, or -1 when unknown
     */
    synchronized long acked(long revision, boolean success) {
        heard();
        if (!success) {
            // Nothing of the revision was applied: the agent's state is unknown to us; start over with a snapshot.
            needSnapshot = true;
            markDirty();
            submit();
            return -1;
        }
        Long since = changeNanosByRevision.remove(revision);
        changeNanosByRevision.keySet().removeIf(r -> r < revision);
        return since == null || since == 0 ? -1 : System.nanoTime() - since;
    }

    synchronized SentState sentState() {
        return sentIface == null ? null : new SentState(sentRevision, sentHash, sentIface, Map.copyOf(sent));
    }

    synchronized long revision() {
        return sentRevision;
    }

    synchronized String desiredHash() {
        return ConfigEntry.hash(ifaceField, desired.values());
    }

    /** The desired configuration as a message (tests, debugging). */
    synchronized NetworkConfig desiredConfig() {
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(iface)
                .addAllPeers(new ArrayList<>(
                        desired.values().stream().map(ConfigEntry::config).toList()))
                .build();
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long silentNanos() {
        return System.nanoTime() - lastHeardNanos;
    }

    boolean closed() {
        return closed;
    }

    /** Ends the stream with a status (supersede, revocation, timeout, shutdown). Idempotent. */
    synchronized void close(Status status) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (status.isOk()) {
                out.onCompleted();
            } else {
                out.onError(status.asRuntimeException());
            }
        } catch (RuntimeException ignored) {
            // already cancelled by the peer
        }
    }

    /** Marks the stream as gone from the agent's side (cancelled, errored, completed). */
    void ended() {
        closed = true;
    }
}
