package dev.wgmesh.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wgmesh.agent.AgentMain;
import dev.wgmesh.dataplane.config.IpPrefix;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.ToDoubleFunction;

/**
 * The agent's own Prometheus endpoint ({@code --metrics-listen HOST:PORT}, off by default): Micrometer's Prometheus
 * registry served by the JDK's {@link HttpServer} at {@code GET /metrics}. Loopback addresses are recommended (the
 * figures reveal the mesh's shape); another address is accepted with a warning.
 *
 * <p>Each scrape asks the {@link StatsSource} for a snapshot, registers meters for new peers, removes the meters of
 * peers that are gone, then renders. One server thread: scrapes never overlap.
 *
 * <pre>
 * wgmesh_peer_rx_bytes_total{peer,name}              wgmesh_peer_tx_bytes_total{peer,name}
 * wgmesh_peer_last_handshake_age_seconds{peer,name}  (NaN: never)
 * wgmesh_peer_probe_rtt_seconds{peer,name}           (NaN: no probe answered)
 * wgmesh_peer_probe_loss_ratio{peer,name}
 * wgmesh_peer_queue_packets{peer,name}               wgmesh_peer_queue_bytes{peer,name}
 * wgmesh_peer_queue_sojourn_p50_seconds{peer,name}   wgmesh_peer_queue_sojourn_p99_seconds{peer,name}
 * wgmesh_peer_drops_total{peer,name,reason}          reason: overflow codel no_route replay auth other
 * wgmesh_agent_applied_revision                      wgmesh_agent_controller_connected (0/1)
 * wgmesh_agent_info{version}                         (always 1)
 * </pre>
 * The {@code peer} label is the base64 public key (public keys are not secret and identify the link uniquely);
 * {@code name} is the operator's name for it.
 */
public final class AgentMetrics implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger LOG = System.getLogger(AgentMetrics.class.getName());

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final StatsSource source;
    private final Clock clock;
    private final HttpServer server;
    // guarded by this
    private final Map<String, PeerMeters> peers = new HashMap<>();
    private volatile StatsSource.AgentSample agent = new StatsSource.AgentSample(0, false);

    private AgentMetrics(InetSocketAddress listen, StatsSource source, Clock clock) throws IOException {
        this.source = source;
        this.clock = clock;
        Gauge.builder("wgmesh.agent.applied.revision", this, m -> m.agent.appliedRevision())
                .description("Configuration revision the agent runs (0 = none)")
                .register(registry);
        Gauge.builder("wgmesh.agent.controller.connected", this, m -> m.agent.controllerConnected() ? 1 : 0)
                .description("1 while the Sync stream to the controller is up")
                .register(registry);
        Gauge.builder("wgmesh.agent.info", () -> 1)
                .tag("version", AgentMain.VERSION)
                .description("Agent version")
                .register(registry);
        this.server = HttpServer.create(listen, 16);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wgmesh-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        if (!listen.getAddress().isLoopbackAddress()) {
            LOG.log(
                    Level.WARNING,
                    "metrics endpoint listens on non-loopback {0}; anyone who reaches it sees the mesh",
                    listen);
        }
    }

    /** Starts the endpoint on {@code listen} ({@code HOST:PORT}, {@code [v6]:PORT}); port 0 picks a free one. */
    public static AgentMetrics start(String listen, StatsSource source) throws IOException {
        return start(parseListen(listen), source, Clock.systemUTC());
    }

    public static AgentMetrics start(InetSocketAddress listen, StatsSource source, Clock clock) throws IOException {
        return new AgentMetrics(listen, source, clock);
    }

    /** The endpoint for {@code --metrics-listen}, or empty when the option is not set (the default). */
    public static Optional<AgentMetrics> fromOptions(String metricsListen, StatsSource source) throws IOException {
        return metricsListen == null ? Optional.empty() : Optional.of(start(metricsListen, source));
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Parses {@code HOST:PORT} where HOST is an IPv4 literal, a bracketed IPv6 literal or {@code localhost}; never a
     * DNS lookup (a listen address that depends on DNS would be a surprise at boot).
     */
    public static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--metrics-listen must be HOST:PORT");
        }
        String host = text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("--metrics-listen port must be a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-listen port must be 0-65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("--metrics-listen: write an IPv6 address in brackets, [::1]:9586");
        }
        try {
            byte[] addr = host.equals("localhost")
                    ? InetAddress.getLoopbackAddress().getAddress()
                    : IpPrefix.parseAddress(host);
            return new InetSocketAddress(InetAddress.getByAddress(addr), port);
        } catch (IllegalArgumentException | UnknownHostException ex) {
            throw new IllegalArgumentException("--metrics-listen host must be an IP address or localhost");
        }
    }

    /** Takes a fresh snapshot from the source and renders the Prometheus text format. */
    public synchronized String scrape() {
        refresh();
        return registry.scrape();
    }

    private void refresh() {
        agent = source.agent();
        Set<String> seen = new HashSet<>();
        for (StatsSource.PeerSample s : source.peers()) {
            if (!seen.add(s.publicKey())) {
                continue; // a source bug; the first sample wins rather than failing the scrape
            }
            PeerMeters m = peers.get(s.publicKey());
            if (m != null && !m.name.equals(s.name())) {
                m.remove(registry);
                m = null;
            }
            if (m == null) {
                m = new PeerMeters(s.publicKey(), s.name());
                m.register(registry, clock);
                peers.put(s.publicKey(), m);
            }
            m.current = s;
        }
        peers.values().removeIf(m -> {
            if (seen.contains(m.key)) {
                return false;
            }
            m.remove(registry);
            return true;
        });
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                reply(ex, 404, "not found; try /metrics\n");
                return;
            }
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "method not allowed\n");
                return;
            }
            String body;
            try {
                body = scrape();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "metrics scrape failed", e);
                reply(ex, 500, "scrape failed\n");
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(200, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }

    /** The meters of one peer; they read the latest sample, replaced at each scrape. */
    private static final class PeerMeters {
        final String key;
        final String name;
        final List<Meter> meters = new ArrayList<>();
        volatile StatsSource.PeerSample current;

        PeerMeters(String key, String name) {
            this.key = key;
            this.name = name;
        }

        void register(PrometheusMeterRegistry r, Clock clock) {
            Tags tags = Tags.of("peer", key, "name", name);
            counter(r, "wgmesh.peer.rx", "bytes", tags, "Bytes received from the peer", s -> s.rxBytes());
            counter(r, "wgmesh.peer.tx", "bytes", tags, "Bytes sent to the peer", s -> s.txBytes());
            gauge(r, "wgmesh.peer.last.handshake.age", "seconds", tags, "Seconds since the last handshake", s -> {
                long t = s.lastHandshakeUnixMs();
                return t == 0 ? Double.NaN : Math.max(0, clock.millis() - t) / 1e3;
            });
            gauge(
                    r,
                    "wgmesh.peer.probe.rtt",
                    "seconds",
                    tags,
                    "Last probe round trip through the tunnel",
                    s -> s.probeRttMicros() == 0 ? Double.NaN : s.probeRttMicros() / 1e6);
            gauge(
                    r,
                    "wgmesh.peer.probe.loss",
                    "ratio",
                    tags,
                    "Share of probes lost over the last report interval",
                    s -> s.probeLoss());
            gauge(
                    r,
                    "wgmesh.peer.queue.packets",
                    null,
                    tags,
                    "Packets waiting in the peer's queues",
                    s -> s.queuePackets());
            gauge(r, "wgmesh.peer.queue.bytes", null, tags, "Bytes waiting in the peer's queues", s -> s.queueBytes());
            gauge(
                    r,
                    "wgmesh.peer.queue.sojourn.p50",
                    "seconds",
                    tags,
                    "Median queue sojourn time",
                    s -> s.sojournP50Micros() / 1e6);
            gauge(
                    r,
                    "wgmesh.peer.queue.sojourn.p99",
                    "seconds",
                    tags,
                    "99th percentile queue sojourn time",
                    s -> s.sojournP99Micros() / 1e6);
            drops(r, tags, "overflow", s -> s.drops().overflow());
            drops(r, tags, "codel", s -> s.drops().codel());
            drops(r, tags, "no_route", s -> s.drops().noRoute());
            drops(r, tags, "replay", s -> s.drops().replay());
            drops(r, tags, "auth", s -> s.drops().auth());
            drops(r, tags, "other", s -> s.drops().other());
        }

        private void counter(
                PrometheusMeterRegistry r,
                String name,
                String unit,
                Tags tags,
                String help,
                ToDoubleFunction<StatsSource.PeerSample> f) {
            meters.add(FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.current))
                    .baseUnit(unit)
                    .tags(tags)
                    .description(help)
                    .register(r));
        }

        private void gauge(
                PrometheusMeterRegistry r,
                String name,
                String unit,
                Tags tags,
                String help,
                ToDoubleFunction<StatsSource.PeerSample> f) {
            meters.add(Gauge.builder(name, this, m -> f.applyAsDouble(m.current))
                    .baseUnit(unit)
                    .tags(tags)
                    .description(help)
                    .strongReference(true)
                    .register(r));
        }

        private void drops(
                PrometheusMeterRegistry r, Tags tags, String reason, ToDoubleFunction<StatsSource.PeerSample> f) {
            meters.add(FunctionCounter.builder("wgmesh.peer.drops", this, m -> f.applyAsDouble(m.current))
                    .tags(tags.and("reason", reason))
                    .description("Packets dropped, by reason")
                    .register(r));
        }

        void remove(PrometheusMeterRegistry r) {
            meters.forEach(r::remove);
            meters.clear();
        }
    }
}
