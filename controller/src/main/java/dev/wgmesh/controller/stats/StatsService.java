package dev.wgmesh.controller.stats;

import dev.wgmesh.controller.common.InvalidInputException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Link statistics (SYNC-CONVENTIONS.md "Stats"): raw samples kept {@link #RAW_RETENTION}, 1-minute rollups
 * {@link #MINUTE_RETENTION}, 1-hour rollups {@link #HOUR_RETENTION}. Rollups are computed in Java from the finer
 * resolution (portable between PostgreSQL and H2): averages of rates and latencies, last value of counters and
 * queue depth, maximum of the worst sojourn.
 *
 * <p>Without {@code remotePeerId} a query returns the reporting agent's aggregate per timestamp: byte counters,
 * rates, queues and drops summed; latencies and loss averaged over the links that reported them.
 */
@Service
public class StatsService {
    private static final Logger log = LoggerFactory.getLogger(StatsService.class);
    static final Duration RAW_RETENTION = Duration.ofDays(1);
    static final Duration MINUTE_RETENTION = Duration.ofDays(7);
    static final Duration HOUR_RETENTION = Duration.ofDays(90);
    static final int MAX_SAMPLES = 5000;

    /** Resolutions as the API names them. */
    public enum Resolution {
        RAW("raw"),
        MINUTE("1m"),
        HOUR("1h");

        final String code;

        Resolution(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        static Resolution parse(String s) {
            for (Resolution r : values()) {
                if (r.code.equals(s)) {
                    return r;
                }
            }
            throw new InvalidInputException("resolution", "must be raw, 1m or 1h");
        }
    }

    /** Response of the range query. */
    public record Series(UUID peerId, String resolution, List<StatsSample> samples) {}

    private final JdbcTemplate jdbc;

    StatsService(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One raw sample of one link, as reported by the agent owning {@code agentPeerId}. */
    public record LinkSample(UUID agentPeerId, UUID remotePeerId, StatsSample sample) {}

    /** Stores raw samples in one batch; a repeated (agent, link, ts) is ignored. */
    public void record(List<LinkSample> samples) {
        if (samples.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>(samples.size());
        for (LinkSample l : samples) {
            rows.add(row("raw", l.agentPeerId(), l.remotePeerId(), l.sample()));
        }
        jdbc.batchUpdate(INSERT, rows);
    }

    /** Every sample column in {@link StatsSample} order, {@code ts} first (read back by {@link #sampleAt}). */
    static final String COLUMNS = "ts, rx_bytes, tx_bytes, rx_bps, tx_bps, handshake_age_s, handshake_rtt_ms,"
            + " probe_rtt_ms, probe_loss, queue_packets, queue_bytes, sojourn_p50_ms, sojourn_p99_ms, sojourn_max_ms,"
            + " drops_overflow, drops_codel, drops_no_route, drops_replay, drops_auth, ecn_marks";

    private static final String INSERT = "INSERT INTO peer_stats (resolution, agent_peer_id, remote_peer_id, "
            + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING";
    private static final String AGGREGATE = "ts, SUM(rx_bytes), SUM(tx_bytes), SUM(rx_bps), SUM(tx_bps),"
            + " AVG(handshake_age_s), AVG(handshake_rtt_ms), AVG(probe_rtt_ms), AVG(probe_loss), SUM(queue_packets),"
            + " SUM(queue_bytes), AVG(sojourn_p50_ms), AVG(sojourn_p99_ms), MAX(sojourn_max_ms), SUM(drops_overflow),"
            + " SUM(drops_codel), SUM(drops_no_route), SUM(drops_replay), SUM(drops_auth), SUM(ecn_marks)";

    private static Object[] row(String resolution, UUID agent, UUID remote, StatsSample s) {
        return new Object[] {
            resolution,
            agent,
            remote,
            Timestamp.from(s.ts()),
            s.rxBytes(),
            s.txBytes(),
            s.rxBps(),
            s.txBps(),
            s.handshakeAgeS(),
            s.handshakeRttMs(),
            s.probeRttMs(),
            s.probeLoss(),
            s.queuePackets(),
            s.queueBytes(),
            s.sojournP50Ms(),
            s.sojournP99Ms(),
            s.sojournMaxMs(),
            s.dropsOverflow(),
            s.dropsCodel(),
            s.dropsNoRoute(),
            s.dropsReplay(),
            s.dropsAuth(),
            s.ecnMarks()
        };
    }

    /** The newest raw sample of the link, or of the agent's aggregate when {@code remotePeerId} is null. */
    public Optional<StatsSample> latest(UUID agentPeerId, UUID remotePeerId) {
        String link = remotePeerId == null ? "" : " AND remote_peer_id = ?";
        Object[] args = remotePeerId == null ? new Object[] {agentPeerId} : new Object[] {agentPeerId, remotePeerId};
        Timestamp ts = jdbc.queryForObject(
                "SELECT MAX(ts) FROM peer_stats WHERE resolution = 'raw' AND agent_peer_id = ?" + link,
                Timestamp.class,
                args);
        if (ts == null) {
            return Optional.empty();
        }
        List<Object> a = new ArrayList<>(List.of(args));
        a.add(ts);
        return jdbc
                .query(
                        "SELECT " + AGGREGATE + " FROM peer_stats WHERE resolution = 'raw' AND agent_peer_id = ?" + link
                                + " AND ts = ? GROUP BY ts",
                        StatsService::sample,
                        a.toArray())
                .stream()
                .findFirst();
    }

    /**
     * Samples in {@code [from, to)}.
     *
     * @param resolution null = chosen from the span: up to 6 h raw, up to 7 days 1m, beyond 1h
     */
    public Series range(UUID agentPeerId, UUID remotePeerId, Instant from, Instant to, String resolution) {
        Instant end = to == null ? Instant.now() : to;
        Instant start = from == null ? end.minus(Duration.ofHours(1)) : from;
        if (!start.isBefore(end)) {
            throw new InvalidInputException("from", "must be before to");
        }
        if (Duration.between(start, end).compareTo(HOUR_RETENTION) > 0) {
            throw new InvalidInputException("from", "the range may span at most 90 days");
        }
        Resolution r = resolution == null ? auto(Duration.between(start, end)) : Resolution.parse(resolution);
        String link = remotePeerId == null ? "" : " AND remote_peer_id = ?";
        List<Object> args = new ArrayList<>(List.of(r.code, agentPeerId));
        if (remotePeerId != null) {
            args.add(remotePeerId);
        }
        args.add(Timestamp.from(start));
        args.add(Timestamp.from(end));
        List<StatsSample> samples = jdbc.query(
                "SELECT " + AGGREGATE + " FROM peer_stats WHERE resolution = ? AND agent_peer_id = ?" + link
                        + " AND ts >= ? AND ts < ? GROUP BY ts ORDER BY ts DESC LIMIT " + MAX_SAMPLES,
                StatsService::sample,
                args.toArray());
        List<StatsSample> ascending = new ArrayList<>(samples);
        java.util.Collections.reverse(ascending);
        return new Series(agentPeerId, r.code, ascending);
    }

    static Resolution auto(Duration span) {
        if (span.compareTo(Duration.ofHours(6)) <= 0) {
            return Resolution.RAW;
        }
        return span.compareTo(Duration.ofDays(7)) <= 0 ? Resolution.MINUTE : Resolution.HOUR;
    }

    private static StatsSample sample(ResultSet rs, int n) throws SQLException {
        return new StatsSample(
                rs.getTimestamp(1).toInstant(),
                longOrNull(rs, 2),
                longOrNull(rs, 3),
                doubleOrNull(rs, 4),
                doubleOrNull(rs, 5),
                doubleOrNull(rs, 6),
                doubleOrNull(rs, 7),
                doubleOrNull(rs, 8),
                doubleOrNull(rs, 9),
                longOrNull(rs, 10),
                longOrNull(rs, 11),
                doubleOrNull(rs, 12),
                doubleOrNull(rs, 13),
                doubleOrNull(rs, 14),
                longOrNull(rs, 15),
                longOrNull(rs, 16),
                longOrNull(rs, 17),
                longOrNull(rs, 18),
                longOrNull(rs, 19),
                longOrNull(rs, 20));
    }

    private static Long longOrNull(ResultSet rs, int i) throws SQLException {
        Object o = rs.getObject(i);
        return o == null ? null : ((Number) o).longValue();
    }

    private static Double doubleOrNull(ResultSet rs, int i) throws SQLException {
        Object o = rs.getObject(i);
        return o == null ? null : ((Number) o).doubleValue();
    }

    /** Every minute: roll up finished minutes and hours, then delete what is past retention. */
    @Scheduled(fixedDelayString = "${wgmesh.stats.rollup-interval:60s}", initialDelayString = "30s")
    public void rollUpAndExpire() {
        try {
            Instant now = Instant.now();
            rollUp(Resolution.RAW, Resolution.MINUTE, ChronoUnit.MINUTES, now, RAW_RETENTION);
            rollUp(Resolution.MINUTE, Resolution.HOUR, ChronoUnit.HOURS, now, MINUTE_RETENTION);
            expire(Resolution.RAW, now.minus(RAW_RETENTION));
            expire(Resolution.MINUTE, now.minus(MINUTE_RETENTION));
            expire(Resolution.HOUR, now.minus(HOUR_RETENTION));
            jdbc.update(
                    "DELETE FROM agent_event WHERE occurred_at < ?", Timestamp.from(now.minus(Duration.ofDays(30))));
        } catch (RuntimeException ex) {
            log.warn("Stats rollup failed (will retry)", ex);
        }
    }

    private void expire(Resolution r, Instant before) {
        jdbc.update("DELETE FROM peer_stats WHERE resolution = ? AND ts < ?", r.code, Timestamp.from(before));
    }

    /**
     * Aggregates complete buckets of {@code from} after the newest bucket already in {@code to} (idempotent: a
     * bucket another replica wrote first is skipped by the primary key).
     */
    void rollUp(Resolution from, Resolution to, ChronoUnit bucket, Instant now, Duration lookback) {
        Instant end = now.truncatedTo(bucket);
        Timestamp last =
                jdbc.queryForObject("SELECT MAX(ts) FROM peer_stats WHERE resolution = ?", Timestamp.class, to.code);
        Instant start = last == null ? end.minus(lookback) : last.toInstant().plus(1, bucket);
        if (!start.isBefore(end)) {
            return;
        }
        Map<String, Acc> buckets = new HashMap<>();
        jdbc.query(
                "SELECT agent_peer_id, remote_peer_id, " + COLUMNS + " FROM peer_stats WHERE resolution = ?"
                        + " AND ts >= ? AND ts < ? ORDER BY ts",
                (ResultSet rs) -> {
                    UUID agent = rs.getObject(1, UUID.class);
                    UUID remote = rs.getObject(2, UUID.class);
                    StatsSample s = sampleAt(rs, 3);
                    Instant b = s.ts().truncatedTo(bucket);
                    buckets.computeIfAbsent(agent + "/" + remote + "/" + b, k -> new Acc(agent, remote, b))
                            .add(s);
                },
                from.code,
                Timestamp.from(start),
                Timestamp.from(end));
        List<Object[]> rows = new ArrayList<>(buckets.size());
        for (Acc a : buckets.values()) {
            rows.add(row(to.code, a.agent, a.remote, a.result()));
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(INSERT, rows);
        }
    }

    /** Reads a sample whose {@link #COLUMNS} start at column {@code first}. */
    static StatsSample sampleAt(ResultSet rs, int first) throws SQLException {
        return new StatsSample(
                rs.getTimestamp(first).toInstant(),
                longOrNull(rs, first + 1),
                longOrNull(rs, first + 2),
                doubleOrNull(rs, first + 3),
                doubleOrNull(rs, first + 4),
                doubleOrNull(rs, first + 5),
                doubleOrNull(rs, first + 6),
                doubleOrNull(rs, first + 7),
                doubleOrNull(rs, first + 8),
                longOrNull(rs, first + 9),
                longOrNull(rs, first + 10),
                doubleOrNull(rs, first + 11),
                doubleOrNull(rs, first + 12),
                doubleOrNull(rs, first + 13),
                longOrNull(rs, first + 14),
                longOrNull(rs, first + 15),
                longOrNull(rs, first + 16),
                longOrNull(rs, first + 17),
                longOrNull(rs, first + 18),
                longOrNull(rs, first + 19));
    }

    /** Accumulates one bucket: averages, last values (counters, queues, handshake age), maximum sojourn. */
    private static final class Acc {
        final UUID agent;
        final UUID remote;
        final Instant bucket;
        final double[] sum = new double[8];
        final int[] count = new int[8];
        StatsSample last;
        Double maxSojourn;

        Acc(UUID agent, UUID remote, Instant bucket) {
            this.agent = agent;
            this.remote = remote;
            this.bucket = bucket;
        }

        void add(StatsSample s) {
            Double[] v = {
                s.rxBps(),
                s.txBps(),
                s.handshakeRttMs(),
                s.probeRttMs(),
                s.probeLoss(),
                s.sojournP50Ms(),
                s.sojournP99Ms(),
                s.handshakeAgeS()
            };
            for (int i = 0; i < v.length; i++) {
                if (v[i] != null) {
                    sum[i] += v[i];
                    count[i]++;
                }
            }
            if (s.sojournMaxMs() != null) {
                maxSojourn = maxSojourn == null ? s.sojournMaxMs() : Math.max(maxSojourn, s.sojournMaxMs());
            }
            last = s; // rows arrive in time order
        }

        private Double avg(int i) {
            return count[i] == 0 ? null : sum[i] / count[i];
        }

        StatsSample result() {
            return new StatsSample(
                    bucket,
                    last.rxBytes(),
                    last.txBytes(),
                    avg(0),
                    avg(1),
                    last.handshakeAgeS(),
                    avg(2),
                    avg(3),
                    avg(4),
                    last.queuePackets(),
                    last.queueBytes(),
                    avg(5),
                    avg(6),
                    maxSojourn,
                    last.dropsOverflow(),
                    last.dropsCodel(),
                    last.dropsNoRoute(),
                    last.dropsReplay(),
                    last.dropsAuth(),
                    last.ecnMarks());
        }
    }
}
