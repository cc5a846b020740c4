package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.ConfigHashes;
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
import java.util.LinkedHashMap;
import java.util.Map;
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

        /** Half the session's reserved revisions are used: reserve the next block in the background. */
        void lowOnRevisions(AgentSession session);

        /**
         * The reserved revisions are used up (the background reservation did not land in time): reserve now.
         *
         * @return the new ceiling, or 0 when the agent has a newer session (this one must not number anything)
         */
        long reserveRevisions(AgentSession session);
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
    private byte[] ifaceDigest = ConfigEntry.interfaceDigest(iface);
    private final PeerTable desired = new PeerTable();
    /**
     * What the agent was last sent, as a difference: for each key changed since, the entry it has ({@link #NONE}: no
     * such peer); every other key it has exactly as desired. Keeping a full copy per agent cost as much as the map.
     */
    private final Map<ByteString, ConfigEntry> unsent = new HashMap<>();
    /**
     * The peers' part of the hash of {@link #desired}: the sum of their digests, kept up to date with every put and
     * removal (one addition per change instead of rehashing the map, see {@link ConfigHashes}).
     */
    private final ConfigHashes.Sum peersHash = new ConfigHashes.Sum();

    private static final ConfigEntry NONE =
            new ConfigEntry(dev.wgmesh.proto.v1.PeerConfig.getDefaultInstance(), new byte[0]);
    private boolean needSnapshot = true;

    private InterfaceConfig sentIface;
    private long sentRevision;
    private long counter;
    /** The highest revision reserved for this session ({@link RevisionBlocks}). */
    private long revisionCeiling;

    private boolean refillAsked;
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
     * @param revisions the block this session numbers from, and the desired revision recorded in the database
     */
    synchronized void start(
            InterfaceConfig iface,
            Collection<ConfigEntry> entries,
            long appliedRevision,
            String appliedHash,
            RevisionBlocks.Reserved revisions,
            SentState resume) {
        setAll(iface, entries);
        unsent.clear();
        long storedRevision = revisions.desiredRevision();
        counter = Math.max(revisions.floor(), appliedRevision);
        revisionCeiling = revisions.ceiling();
        String hash = desiredHash();
        if (appliedRevision > 0 && appliedRevision >= storedRevision && hash.equals(appliedHash)) {
            // In sync: nothing to send, and the revision it runs is the desired one. (When a later revision was
            // recorded as desired, it cannot be lowered again: the agent gets a fresh revision below instead.)
            adoptSent(appliedRevision, hash, this.iface);
            needSnapshot = false;
            listener.sent(this, appliedRevision, hash);
        } else if (deltas
                && !hash.equals(appliedHash)
                && resume != null
                && resume.revision() == appliedRevision
                && resume.hash().equals(appliedHash)) {
            adoptSent(resume.revision(), resume.hash(), resume.iface());
            resume.peers().forEach((k, had) -> {
                if (!had.sameAs(desired.get(k))) {
                    unsent.put(k, had);
                }
            });
            desired.forEach(want -> {
                ByteString k = PeerTable.keyOf(want);
                unsent.putIfAbsent(k, resume.peers().getOrDefault(k, NONE));
            });
            unsent.entrySet().removeIf(e -> e.getValue().sameAs(desired.get(e.getKey())));
            needSnapshot = false;
            markDirty();
        } else {
            needSnapshot = true;
            markDirty();
        }
        submit();
    }

    /** The agent runs {@code i} and, apart from the keys in {@link #unsent}, the desired peers. */
    private void adoptSent(long revision, String hash, InterfaceConfig i) {
        sentRevision = revision;
        sentHash = hash;
        sentIface = i;
    }

    /** Before {@code key}'s desired entry changes from {@code old}: remembers what the agent has, once. */
    private void remember(ByteString key, ConfigEntry old) {
        unsent.putIfAbsent(key, old == null ? NONE : old);
    }

    /** Replaces the whole desired configuration (network or site change, own peer changed). */
    synchronized void replaceAll(InterfaceConfig newIface, Collection<ConfigEntry> entries) {
        Map<ByteString, ConfigEntry> old = desired.toMap();
        setAll(newIface, entries);
        old.forEach((k, was) -> {
            if (!was.sameAs(desired.get(k))) {
                remember(k, was);
            }
        });
        desired.forEach(want -> {
            ByteString k = PeerTable.keyOf(want);
            if (!old.containsKey(k)) {
                remember(k, null);
            }
        });
        markDirty();
    }

    private void setAll(InterfaceConfig newIface, Collection<ConfigEntry> entries) {
        setInterface(newIface);
        desired.clear();
        peersHash.clear();
        for (ConfigEntry e : entries) {
            put(e.config().getPublicKey(), e);
        }
    }

    /** Puts or removes ({@code entry} null) a desired peer, keeping {@link #peersHash} in step; returns the old one. */
    private ConfigEntry put(ByteString publicKey, ConfigEntry entry) {
        ConfigEntry old = entry == null ? desired.remove(publicKey) : desired.put(entry); // keyed by its own key
        if (old != null) {
            peersHash.subtract(old.digest());
        }
        if (entry != null) {
            peersHash.add(entry.digest());
        }
        return old;
    }

    /** The hash of the desired configuration ({@link ConfigHashes#hash} of {@link #desiredConfig}). */
    synchronized String desiredHash() {
        return new ConfigHashes.Sum(peersHash).add(ifaceDigest).hex();
    }

    /** Upserts ({@code entry} non-null) or removes one peer by public key. */
    synchronized void apply(ByteString publicKey, ConfigEntry entry) {
        ConfigEntry old = put(publicKey, entry);
        if (entry == null ? old != null : !entry.sameAs(old)) {
            remember(publicKey, old);
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
        ifaceDigest = ConfigEntry.interfaceDigest(newIface);
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
        return needSnapshot || !unsent.isEmpty() || (sentIface != null && !iface.equals(sentIface));
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
        String hash = desiredHash();
        if (needSnapshot || !deltas || sentIface == null) {
            if (!needSnapshot && hash.equals(sentHash)) {
                unsent.clear();
                firstUnsentChangeNanos = 0;
                return;
            }
            revision = nextRevision();
            if (revision < 0) {
                return;
            }
            message = ControllerMessage.newBuilder()
                    .setSnapshot(Snapshot.newBuilder()
                            .setRevision(revision)
                            .setConfig(NetworkConfig.newBuilder()
                                    .setInterfaceConfig(iface)
                                    .addAllPeers(desired.sorted().stream()
                                            .map(ConfigEntry::config)
                                            .toList()))
                            .setConfigHash(hash))
                    .build();
            adoptSent(revision, hash, iface);
            needSnapshot = false;
        } else {
            Delta.Builder d = Delta.newBuilder();
            if (!iface.equals(sentIface)) {
                d.setInterfaceConfig(iface);
            }
            for (Map.Entry<ByteString, ConfigEntry> e : unsent.entrySet()) {
                ByteString key = e.getKey();
                ConfigEntry want = desired.get(key);
                ConfigEntry have = e.getValue() == NONE ? null : e.getValue();
                if (want == null && have != null) {
                    d.addRemovedPeerKeys(key);
                } else if (want != null && !want.sameAs(have)) {
                    d.addUpsertedPeers(want.config());
                }
            }
            if (!d.hasInterfaceConfig() && d.getUpsertedPeersCount() == 0 && d.getRemovedPeerKeysCount() == 0) {
                unsent.clear();
                firstUnsentChangeNanos = 0;
                return;
            }
            revision = nextRevision();
            if (revision < 0) {
                return;
            }
            message = ControllerMessage.newBuilder()
                    .setDelta(d.setFromRevision(sentRevision)
                            .setRevision(revision)
                            .setConfigHash(hash))
                    .build();
            sentIface = iface;
            sentRevision = revision;
            sentHash = hash;
        }
        unsent.clear(); // the agent now has what is desired
        changeNanosByRevision.put(revision, firstUnsentChangeNanos);
        if (changeNanosByRevision.size() > LAG_TRACKED) {
            changeNanosByRevision.remove(
                    changeNanosByRevision.keySet().iterator().next());
        }
        firstUnsentChangeNanos = 0;
        listener.sent(this, revision, hash); // before the agent can ack it: desired is never behind applied
        send(message);
    }

    /**
     * The next revision from the reserved block; -1, after closing the stream, when the agent has a newer session
     * (then nothing of this one may be numbered: the newer session's block could start below it).
     */
    private long nextRevision() {
        if (counter >= revisionCeiling) {
            long ceiling = listener.reserveRevisions(this);
            if (ceiling <= counter) {
                close(Status.ABORTED.withDescription("superseded by a newer stream of the same agent"));
                return -1;
            }
            revisionCeiling = ceiling;
            refillAsked = false;
        }
        long revision = ++counter;
        if (!refillAsked && revisionCeiling - revision < RevisionBlocks.BLOCK / 2) {
            refillAsked = true;
            listener.lowOnRevisions(this);
        }
        return revision;
    }

    /** A background reservation landed ({@link RevisionBlocks#refill}). */
    synchronized void extendRevisions(long ceiling) {
        revisionCeiling = Math.max(revisionCeiling, ceiling);
        refillAsked = false;
    }

    synchronized long revisionCeiling() {
        return revisionCeiling;
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
        if (sentIface == null) {
            return null;
        }
        Map<ByteString, ConfigEntry> sent = desired.toMap();
        unsent.forEach((k, had) -> {
            if (had == NONE) {
                sent.remove(k);
            } else {
                sent.put(k, had);
            }
        });
        return new SentState(sentRevision, sentHash, sentIface, Map.copyOf(sent));
    }

    synchronized long revision() {
        return sentRevision;
    }

    /** The desired configuration as a message (tests, debugging). */
    synchronized NetworkConfig desiredConfig() {
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(iface)
                .addAllPeers(new ArrayList<>(
                        desired.sorted().stream().map(ConfigEntry::config).toList()))
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
