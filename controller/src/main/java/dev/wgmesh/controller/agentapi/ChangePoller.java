package dev.wgmesh.controller.agentapi;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads {@code change_outbox} in id order and hands new rows to {@link AgentHub}. Woken by PostgreSQL
 * {@code LISTEN/NOTIFY} as soon as a change commits (on H2, or if the listening connection fails: polling every
 * {@code wgmesh.agents.outbox-poll}). The same connection hears other replicas' agent revision changes
 * ({@link AgentStateWriter#CHANNEL}) for the dashboard's live view.
 *
 * <p>Ids are assigned at insert but become visible at commit, so a smaller id can appear after a larger one. The
 * reader therefore keeps a floor below which every id was seen, remembers the ids above it it has processed, and
 * gives a missing id {@link #GAP_WAIT} to appear (a rolled-back insert leaves a permanent gap).
 *
 * <p>Threads: {@code change-outbox-listen} blocks in pgjdbc's {@code getNotifications(timeout)} and wakes
 * {@code change-outbox-reader}, which runs {@link #poll}. Every committed change sends one notification, hundreds a
 * second under a bulk load; the listener therefore hands over at most one wake-up per {@link #COALESCE}: after
 * waking the reader it lets further notifications queue on the socket for that long, then takes them all in one
 * call. A change after a quiet spell is still passed on at once. Without this, each notification cost a wake-up, an
 * outbox query, and inside pgjdbc a {@code SocketTimeoutException}: after the last queued message its
 * {@code hasMessagePending()} peeks at the socket with a 1 ms timeout, once per call that received anything (and
 * once per timed-out wait, so the wait is long: it only bounds how late a quiet connection is checked;
 * {@link #stop} ends it with a notification of its own).
 */
@Component
class ChangePoller implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ChangePoller.class);
    static final Duration GAP_WAIT = Duration.ofSeconds(10);
    static final Duration RETENTION = Duration.ofHours(1);
    private static final int BATCH = 2000;
    /**
     * Rows after the floor ({@code ?}), with an upper bound ({@code ?}, {@link Long#MAX_VALUE}) that changes nothing
     * but the plan: without statistics (a table autovacuum has not analysed yet, or a server without autovacuum)
     * PostgreSQL estimates {@code id > ?} as a third of the table and reads and sorts the whole outbox on every poll
     * (3.6 ms at 30,000 rows, about a tenth of the database's CPU under a bulk peer load); a two-sided range is
     * estimated as narrow and read through the primary key (0.04 ms).
     */
    static final String READ = "SELECT id, network_id, target_type, target_id, action, created_at FROM change_outbox"
            + " WHERE id > ? AND id <= ? ORDER BY id LIMIT " + BATCH;
    /** Least time between two wake-ups the listener hands the reader (see the class comment). */
    static final Duration COALESCE = Duration.ofMillis(25);
    /** How long one wait for notifications blocks before the listener checks {@link #running} again. */
    private static final int LISTEN_TIMEOUT_MILLIS = 30_000;

    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final AgentHub hub;
    private final ChangeOutbox outbox;
    private final AgentStateWriter writer;
    private final AgentEvents events;
    private final Duration pollInterval;
    private final Object wake = new Object();
    private volatile boolean running;
    private volatile boolean woken;
    private Thread reader;
    private Thread listener;
    private long floor;
    private final java.util.Set<Long> seenAboveFloor = new java.util.HashSet<>();
    private final Map<Long, Long> gapSinceNanos = new HashMap<>();
    private long lastCleanupNanos = System.nanoTime();

    ChangePoller(
            JdbcTemplate jdbc,
            DataSource dataSource,
            AgentHub hub,
            ChangeOutbox outbox,
            AgentStateWriter writer,
            AgentEvents events,
            @Value("${wgmesh.agents.outbox-poll:100ms}") Duration pollInterval) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.hub = hub;
        this.outbox = outbox;
        this.writer = writer;
        this.events = events;
        this.pollInterval = pollInterval;
    }

    @Override
    public void start() {
        Long max = jdbc.queryForObject("SELECT MAX(id) FROM change_outbox", Long.class);
        floor = max == null ? 0 : max; // sessions start from full maps: earlier changes are already in them
        running = true;
        reader = Thread.ofPlatform().name("change-outbox-reader").daemon().start(this::readLoop);
        if (outbox.postgres()) {
            listener = Thread.ofPlatform().name("change-outbox-listen").daemon().start(this::listenLoop);
        }
    }

    private void readLoop() {
        while (running) {
            try {
                synchronized (wake) {
                    if (!woken) {
                        wake.wait(pollInterval.toMillis());
                    }
                    woken = false;
                }
                poll();
                if (System.nanoTime() - lastCleanupNanos > TimeUnit.MINUTES.toNanos(1)) {
                    lastCleanupNanos = System.nanoTime();
                    jdbc.update(
                            "DELETE FROM change_outbox WHERE created_at < ?",
                            Timestamp.from(Instant.now().minus(RETENTION)));
                }
            } catch (InterruptedException ex) {
                return;
            } catch (RuntimeException ex) {
                if (running) {
                    log.warn("Reading the change outbox failed (will retry)", ex);
                    sleepQuietly(1000);
                }
            }
        }
    }

    /** Reads and dispatches every row not yet processed. Package-private for tests. */
    synchronized void poll() {
        List<ChangeEvent> rows = jdbc.query(
                READ,
                (rs, n) -> new ChangeEvent(
                        rs.getLong(1),
                        rs.getObject(2, UUID.class),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getTimestamp(6).toInstant()),
                floor,
                Long.MAX_VALUE);
        List<ChangeEvent> fresh = new ArrayList<>();
        for (ChangeEvent e : rows) {
            if (seenAboveFloor.add(e.id())) {
                fresh.add(e);
            }
        }
        advanceFloor();
        if (!fresh.isEmpty()) {
            hub.changed(fresh);
        }
    }

    private void advanceFloor() {
        long now = System.nanoTime();
        while (true) {
            long next = floor + 1;
            if (seenAboveFloor.remove(next)) {
                floor = next;
                gapSinceNanos.remove(next);
                continue;
            }
            boolean anyAbove = seenAboveFloor.stream().anyMatch(id -> id > next);
            if (!anyAbove) {
                return;
            }
            long since = gapSinceNanos.computeIfAbsent(next, k -> now);
            if (now - since > GAP_WAIT.toNanos()) {
                gapSinceNanos.remove(next);
                floor = next; // a rolled-back insert: the id will never appear
                continue;
            }
            return;
        }
    }

    private void listenLoop() {
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + ChangeOutbox.CHANNEL);
                    s.execute("LISTEN " + AgentStateWriter.CHANNEL);
                }
                Class<?> pg = Class.forName("org.postgresql.PGConnection");
                Object pgc = c.unwrap(pg);
                Method get = pg.getMethod("getNotifications", int.class);
                Class<?> note = Class.forName("org.postgresql.PGNotification");
                Method name = note.getMethod("getName");
                Method parameter = note.getMethod("getParameter");
                while (running) {
                    Object[] got = (Object[]) get.invoke(pgc, LISTEN_TIMEOUT_MILLIS);
                    if (got == null || got.length == 0) {
                        continue; // timed out: nothing changed for a while
                    }
                    boolean change = false;
                    for (Object n : got) {
                        if (AgentStateWriter.CHANNEL.equals(name.invoke(n))) {
                            events.agentsChanged(writer.fromOtherReplica((String) parameter.invoke(n)));
                        } else {
                            change = true;
                        }
                    }
                    if (change) {
                        synchronized (wake) {
                            woken = true;
                            wake.notifyAll();
                        }
                        // Let the next change notifications gather (class comment). Only after a wake-up: the agent
                        // revision notices of a fan-out (one per state flush) must not hold up the next change.
                        Thread.sleep(COALESCE.toMillis());
                    }
                }
            } catch (InterruptedException ex) {
                return; // stopping
            } catch (Exception ex) {
                if (running) {
                    log.warn("LISTEN {} failed; polling only until it reconnects", ChangeOutbox.CHANNEL, ex);
                    sleepQuietly(5000);
                }
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            wakeListener();
        }
        for (Thread t : new Thread[] {reader, listener}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(2000);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Ends the listener's wait for notifications now rather than at its timeout. */
    private void wakeListener() {
        try {
            jdbc.execute("NOTIFY " + ChangeOutbox.CHANNEL); // other replicas read the outbox once more: harmless
        } catch (RuntimeException ex) {
            log.debug("Could not wake the LISTEN connection; it ends at its timeout", ex);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 2000; // before the gRPC server starts, after it stops
    }
}
