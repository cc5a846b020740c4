package dev.wgmesh.agent.sync;

import dev.wgmesh.agent.Backoff;
import dev.wgmesh.proto.v1.Ack;
import dev.wgmesh.proto.v1.AgentEvent;
import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.Capability;
import dev.wgmesh.proto.v1.Control;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.Hello;
import dev.wgmesh.proto.v1.Keepalive;
import dev.wgmesh.proto.v1.Snapshot;
import dev.wgmesh.proto.v1.StatsReport;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The agent side of {@code AgentService.Sync}: one long-lived session, re-opened with {@link Backoff} (full
 * jitter) whenever it ends.
 *
 * <p>Threads: {@link #run()} is the sync thread; it alone sends on the stream and applies revisions. gRPC's
 * callbacks only put what they receive into {@link Session#inbox}; {@link #send} from other threads (events) goes
 * through {@link #outbox}.
 *
 * <p>Per session:
 * <ol>
 *   <li>Hello (agent id, version, capabilities, applied revision + hash, public key, listen port);
 *   <li>Snapshot → apply all; Delta → apply when {@code from_revision} is ours, otherwise Ack(success=false) so
 *       the controller sends a Snapshot; anything older than what we run is ignored (NetBird's serial check);
 *       every applied or rejected revision is acked with the hash of what actually runs;
 *   <li>Keepalive after {@link SyncSettings#keepalive()} of silence, StatsReport every stats interval; three
 *       keepalive intervals without a word from the controller end the session;
 *   <li>Control: Reconnect (end now, wait at least its delay), Revoked (stop syncing; tear down when asked),
 *       StatsRequest (report now, maybe a new interval).
 * </ol>
 */
public final class SyncClient implements Runnable {
    /** How a session ended. */
    enum End {
        FAILED,
        RECONNECT,
        REVOKED,
        STOPPED
    }

    private static final Logger LOG = System.getLogger(SyncClient.class.getName());
    private static final Metadata.Key<String> RETRY_AFTER =
            Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);
    private static final Object WAKE = new Object();

    private final Channel channel;
    private final Supplier<Hello> hello;
    private final ConfigApplier applier;
    private final Supplier<StatsReport> stats;
    private final SyncSettings settings;
    private final Backoff backoff;
    private final Consumer<Boolean> connectedListener;
    /**
     * Events waiting for a session. Bounded: while the controller is unreachable the oldest are dropped, so a long
     * outage costs at most this many messages of memory.
     */
    static final int OUTBOX_LIMIT = 1024;

    private final ArrayBlockingQueue<AgentMessage> outbox = new ArrayBlockingQueue<>(OUTBOX_LIMIT);
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Session session;
    private volatile boolean revoked;
    private volatile Duration statsInterval;
    // only the sync thread touches these
    private long failStaticRevision = -1;
    private int failedSessions;
    private boolean everConnected;

    /**
     * @param hello builds the Hello of a new session; the applied revision and hash are filled in here
     * @param stats builds a StatsReport (called on the sync thread)
     * @param connectedListener told when a session becomes live (first controller message) or ends
     */
    public SyncClient(
            Channel channel,
            Supplier<Hello> hello,
            ConfigApplier applier,
            Supplier<StatsReport> stats,
            SyncSettings settings,
            RandomGenerator random,
            Consumer<Boolean> connectedListener) {
        this.channel = channel;
        this.hello = hello;
        this.applier = applier;
        this.stats = stats;
        this.settings = settings;
        this.statsInterval = settings.statsInterval();
        this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), random);
        this.connectedListener = connectedListener;
    }

    /**
     * Tells the client the agent started from {@code last-config.pb}; when the first session comes up only after
     * failed attempts (the controller was unreachable at start), a FAIL_STATIC_START event is sent.
     */
    public void startedFromPersisted(long revision) {
        failStaticRevision = revision;
    }

    /** Queues an event or message for the controller (sent on the current or next session). Any thread. */
    public void send(AgentMessage message) {
        while (!outbox.offer(message)) {
            if (outbox.poll() != null) {
                LOG.log(Level.DEBUG, "event outbox full; dropped the oldest event");
            }
        }
        Session s = session;
        if (s != null) {
            s.inbox.add(WAKE);
        }
    }

    public boolean isRevoked() {
        return revoked;
    }

    /** Ends the loop; the current session is closed. Any thread. */
    public void stop() {
        stop.countDown();
        Session s = session;
        if (s != null) {
            s.inbox.add(WAKE);
        }
    }

    @Override
    public void run() {
        while (stop.getCount() > 0) {
            Session s = new Session();
            session = s;
            long started = System.nanoTime();
            End end;
            try {
                end = s.run();
            } catch (RuntimeException ex) {
                LOG.log(Level.ERROR, "sync session failed", ex);
                s.cancel("agent error");
                end = End.FAILED;
            } finally {
                session = null;
            }
            if (s.live) {
                connectedListener.accept(false);
            }
            if (end == End.STOPPED || end == End.REVOKED) {
                return;
            }
            if (!s.live) {
                failedSessions++;
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(settings.stableAfter()) >= 0) {
                backoff.reset();
            }
            Duration delay = s.minDelay == null ? backoff.next() : backoff.nextAtLeast(s.minDelay);
            LOG.log(Level.INFO, "reconnecting to the controller in {0} ms", delay.toMillis());
            try {
                if (stop.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One Sync stream. */
    private final class Session {
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        Duration minDelay;
        boolean live;
        private ClientCallStreamObserver<AgentMessage> out;
        private long lastSent;
        private long lastReceived;
        private long nextStats;

        End run() {
            if (channel instanceof io.grpc.ManagedChannel managed) {
                // Our Backoff paces reconnects; without this, gRPC's own connect backoff (growing to 2 minutes)
                // keeps failing calls fast with the last error long after the controller is back.
                managed.resetConnectBackoff();
            }
            @SuppressWarnings("unchecked")
            ClientCallStreamObserver<AgentMessage> o = (ClientCallStreamObserver<AgentMessage>)
                    AgentServiceGrpc.newStub(channel).sync(new StreamObserver<>() {
                        @Override
                        public void onNext(ControllerMessage value) {
                            inbox.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            inbox.add(t);
                        }

                        @Override
                        public void onCompleted() {
                            inbox.add(Status.UNAVAILABLE.withDescription("controller closed the stream"));
                        }
                    });
            out = o;
            AppliedState applied = applier.current();
            write(AgentMessage.newBuilder()
                    .setHello(hello.get().toBuilder()
                            .setAppliedRevision(applied.revision())
                            .setAppliedConfigHash(applied.hash()))
                    .build());
            long now = System.nanoTime();
            lastReceived = now;
            nextStats = now + statsInterval.toNanos();
            while (true) {
                if (stop.getCount() == 0) {
                    out.onCompleted();
                    return End.STOPPED;
                }
                if (live) { // queued events wait for a stream the controller answered: a refused one loses them
                    flushOutbox();
                }
                Object item;
                try {
                    item = inbox.poll(untilNextTimer(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    cancel("interrupted");
                    return End.STOPPED;
                }
                if (item == null || item == WAKE) {
                    End end = timers();
                    if (end != null) {
                        return end;
                    }
                } else if (item instanceof ControllerMessage m) {
                    lastReceived = System.nanoTime();
                    if (!live) {
                        becameLive();
                    }
                    End end = handle(m);
                    if (end != null) {
                        return end;
                    }
                } else {
                    return ended(item);
                }
            }
        }

        private void becameLive() {
            live = true;
            connectedListener.accept(true);
            LOG.log(Level.INFO, "sync session with the controller is up");
            if (failStaticRevision >= 0 && !everConnected && failedSessions > 0) { // before queued events
                sendEvent(
                        AgentEvent.Kind.FAIL_STATIC_START,
                        "started with persisted revision " + failStaticRevision
                                + " while the controller was unreachable (" + failedSessions + " failed attempt(s))");
            }
            everConnected = true;
        }

        private End ended(Object item) {
            Status status = item instanceof Status s ? s : Status.fromThrowable((Throwable) item);
            Metadata trailers = item instanceof Throwable t ? Status.trailersFromThrowable(t) : null;
            if (trailers != null && trailers.get(RETRY_AFTER) != null) {
                try {
                    minDelay = Duration.ofMillis(Long.parseLong(trailers.get(RETRY_AFTER)));
                } catch (NumberFormatException ignored) {
                    // a malformed hint is no hint
                }
            }
            Level level =
                    switch (status.getCode()) {
                        case UNAUTHENTICATED, PERMISSION_DENIED, FAILED_PRECONDITION, INVALID_ARGUMENT -> Level.ERROR;
                        default -> Level.WARNING;
                    };
            LOG.log(
                    level,
                    "sync session ended: {0}{1}{2}",
                    status.getCode(),
                    status.getDescription() == null ? "" : " (" + status.getDescription() + ")",
                    status.getCause() == null ? "" : ": " + status.getCause());
            return End.FAILED;
        }

        private long untilNextTimer() {
            long now = System.nanoTime();
            long keepalive = settings.keepalive().toNanos();
            long next = Math.min(Math.min(lastSent + keepalive, nextStats), lastReceived + 3 * keepalive);
            return Math.max(0, next - now);
        }

        private End timers() {
            long now = System.nanoTime();
            long keepalive = settings.keepalive().toNanos();
            if (now - lastReceived >= 3 * keepalive) {
                LOG.log(Level.WARNING, "no word from the controller for three keepalive intervals; reconnecting");
                cancel("keepalive timeout");
                return End.FAILED;
            }
            if (now >= nextStats) {
                sendStats();
            }
            if (now - lastSent >= keepalive) {
                write(AgentMessage.newBuilder()
                        .setKeepalive(Keepalive.newBuilder().setTimeUnixMs(System.currentTimeMillis()))
                        .build());
            }
            return null;
        }

        private End handle(ControllerMessage m) {
            switch (m.getKindCase()) {
                case SNAPSHOT -> onSnapshot(m.getSnapshot());
                case DELTA -> onDelta(m.getDelta());
                case CONTROL -> {
                    return onControl(m.getControl());
                }
                default -> {} // keepalive or a kind from a newer controller: liveness only
            }
            return null;
        }

        private void onSnapshot(Snapshot s) {
            AppliedState have = applier.current();
            if (s.getRevision() < have.revision()) {
                LOG.log(Level.INFO, "ignoring stale snapshot {0} (running {1})", s.getRevision(), have.revision());
                return;
            }
            try {
                AppliedState now = applier.applySnapshot(s.getRevision(), s.getConfig());
                ack(now.revision(), true, now.hash(), "");
                LOG.log(Level.INFO, "applied snapshot revision {0}", now.revision());
            } catch (ApplyException ex) {
                rejected(s.getRevision(), ex);
            }
        }

        private void onDelta(Delta d) {
            AppliedState have = applier.current();
            if (d.getRevision() <= have.revision()) {
                LOG.log(Level.INFO, "ignoring stale delta {0} (running {1})", d.getRevision(), have.revision());
                return;
            }
            if (d.getFromRevision() != have.revision()) {
                LOG.log(
                        Level.INFO,
                        "delta {0} is based on {1} but we run {2}; asking for a snapshot",
                        d.getRevision(),
                        d.getFromRevision(),
                        have.revision());
                ack(
                        d.getRevision(),
                        false,
                        have.hash(),
                        "delta from revision " + d.getFromRevision() + " but the agent runs revision " + have.revision()
                                + "; send a snapshot");
                return;
            }
            try {
                AppliedState now = applier.applyDelta(d);
                ack(now.revision(), true, now.hash(), "");
                LOG.log(Level.INFO, "applied delta to revision {0}", now.revision());
            } catch (ApplyException ex) {
                rejected(d.getRevision(), ex);
            }
        }

        private void rejected(long revision, ApplyException ex) {
            LOG.log(Level.WARNING, ex.getMessage());
            ack(revision, false, applier.current().hash(), ex.getMessage());
            sendEvent(AgentEvent.Kind.APPLY_FAILED, ex.getMessage());
        }

        private End onControl(Control c) {
            switch (c.getKindCase()) {
                case RECONNECT -> {
                    minDelay = Duration.ofMillis(
                            Integer.toUnsignedLong(c.getReconnect().getDelayMs()));
                    LOG.log(Level.INFO, "controller asked us to reconnect after {0} ms", minDelay.toMillis());
                    out.onCompleted();
                    return End.RECONNECT;
                }
                case REVOKED -> {
                    LOG.log(
                            Level.ERROR,
                            "the controller revoked this agent: {0}",
                            c.getRevoked().getReason());
                    revoked = true;
                    if (c.getRevoked().getTearDown()) {
                        try {
                            applier.tearDown();
                            LOG.log(Level.WARNING, "revoked with tear-down: all peers removed");
                        } catch (ApplyException ex) {
                            LOG.log(Level.ERROR, ex.getMessage());
                        }
                    }
                    out.onCompleted();
                    return End.REVOKED;
                }
                case STATS_REQUEST -> {
                    long ms = Integer.toUnsignedLong(c.getStatsRequest().getIntervalMs());
                    if (ms > 0) {
                        statsInterval = Duration.ofMillis(ms);
                    }
                    sendStats();
                }
                default -> {}
            }
            return null;
        }

        private void sendStats() {
            try {
                write(AgentMessage.newBuilder().setStats(stats.get()).build());
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "could not collect stats: {0}", ex.toString());
            }
            nextStats = System.nanoTime() + statsInterval.toNanos();
        }

        private void sendEvent(AgentEvent.Kind kind, String detail) {
            write(AgentMessage.newBuilder()
                    .setEvent(AgentEvent.newBuilder()
                            .setKind(kind)
                            .setTimeUnixMs(System.currentTimeMillis())
                            .setDetail(detail))
                    .build());
        }

        private void ack(long revision, boolean success, String hash, String error) {
            write(AgentMessage.newBuilder()
                    .setAck(Ack.newBuilder()
                            .setRevision(revision)
                            .setSuccess(success)
                            .setConfigHash(hash)
                            .setError(error))
                    .build());
        }

        private void flushOutbox() {
            for (AgentMessage m; (m = outbox.poll()) != null; ) {
                write(m);
            }
        }

        private void write(AgentMessage m) {
            out.onNext(m);
            lastSent = System.nanoTime();
        }

        void cancel(String why) {
            if (out != null) {
                out.cancel(why, null);
            }
        }
    }

    /**
     * The capabilities of this agent: deltas and routes always, latency probes when the prober runs, queue
     * statistics when the data plane has per-peer queues.
     */
    public static List<Capability> capabilities(boolean probes, boolean queueStats) {
        List<Capability> out = new ArrayList<>(List.of(Capability.CAPABILITY_DELTAS, Capability.CAPABILITY_ROUTES));
        if (probes) {
            out.add(Capability.CAPABILITY_LATENCY_PROBES);
        }
        if (queueStats) {
            out.add(Capability.CAPABILITY_QUEUE_STATS);
        }
        return List.copyOf(out);
    }
}
