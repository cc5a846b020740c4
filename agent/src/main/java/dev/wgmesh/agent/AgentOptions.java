package dev.wgmesh.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The agent's settings, from command-line flags and an optional properties file ({@code --config FILE}); a flag
 * wins over the file. Every problem is reported as an {@link IllegalArgumentException} with one clear sentence
 * naming the setting; nothing starts with a half-valid configuration.
 *
 * <pre>
 *   flag               file key           default
 *   --controller       controller         (required)   host:port of the controller's agent endpoint
 *   --enrol-key        enrol-key          (first run)  enrolment key from the controller
 *   --interface        interface          wgm0         tunnel interface name
 *   --state-dir        state-dir          /var/lib/wgmesh-agent
 *   --stats-interval   stats-interval     10s
 *   --metrics-listen   metrics-listen     (off)        host:port for the Prometheus endpoint, e.g. 127.0.0.1:9586
 *   --probe-port       probe-port         51821        UDP port of the latency probe responder on the tunnel address
 *   --ca-fingerprint   ca-fingerprint     (none)       sha256:HEX pin of the controller CA, with a bare --enrol-key
 *   --listen-port      listen-port        51820        WireGuard UDP port (0 = any free port)
 * </pre>
 */
public record AgentOptions(
        String controller,
        String enrolKey,
        String interfaceName,
        Path stateDir,
        Duration statsInterval,
        String metricsListen,
        int probePort,
        String caFingerprint,
        int listenPort) {

    /** Default UDP port of the latency probe responder (one above WireGuard's customary 51820). */
    public static final int DEFAULT_PROBE_PORT = 51821;

    private static final Set<String> KEYS = Set.of(
            "controller",
            "enrol-key",
            "interface",
            "state-dir",
            "stats-interval",
            "metrics-listen",
            "probe-port",
            "ca-fingerprint",
            "listen-port");

    public static AgentOptions parse(List<String> args) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Path configFile = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (name.equals("config")) {
                configFile = Path.of(value);
            } else if (KEYS.contains(name)) {
                values.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        if (configFile != null) {
            Properties file = new Properties();
            try (Reader r = Files.newBufferedReader(configFile)) {
                file.load(r);
            }
            for (String key : file.stringPropertyNames()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown setting '" + key + "' in " + configFile);
                }
                values.putIfAbsent(key, file.getProperty(key).trim());
            }
        }
        return fromMap(values);
    }

    private static AgentOptions fromMap(Map<String, String> v) {
        String controller = v.get("controller");
        if (controller == null || controller.isBlank()) {
            throw new IllegalArgumentException("--controller HOST:PORT is required");
        }
        requireHostPort("controller", controller);
        String iface = v.getOrDefault("interface", "wgm0");
        // Linux IFNAMSIZ is 16 including the terminating NUL; no slashes or blanks.
        if (iface.isEmpty() || iface.length() > 15 || !iface.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("--interface must be 1-15 characters of letters, digits, _ . -");
        }
        String metrics = v.get("metrics-listen");
        if (metrics != null) {
            requireHostPort("metrics-listen", metrics);
            dev.wgmesh.agent.metrics.AgentMetrics.parseListen(metrics); // an IP literal: no DNS at boot
        }
        int probePort;
        try {
            probePort = Integer.parseInt(v.getOrDefault("probe-port", Integer.toString(DEFAULT_PROBE_PORT)));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("--probe-port must be a number");
        }
        if (probePort < 1 || probePort > 65535) {
            throw new IllegalArgumentException("--probe-port must be 1-65535");
        }
        int listenPort;
        try {
            listenPort = Integer.parseInt(v.getOrDefault("listen-port", "51820"));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("--listen-port must be a number");
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("--listen-port must be 0-65535");
        }
        String pin = v.get("ca-fingerprint");
        if (pin != null) {
            dev.wgmesh.agent.enrol.JoinToken.parseFingerprint(pin); // fail at start, not at enrolment
        }
        return new AgentOptions(
                controller,
                v.get("enrol-key"),
                iface,
                Path.of(v.getOrDefault("state-dir", "/var/lib/wgmesh-agent")),
                parseDuration("stats-interval", v.getOrDefault("stats-interval", "10s")),
                metrics,
                probePort,
                pin,
                listenPort);
    }

    private static void requireHostPort(String name, String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--" + name + " must be HOST:PORT");
        }
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--" + name + " port must be 1-65535");
            }
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("--" + name + " must be HOST:PORT");
        }
    }

    /** Accepts {@code 500ms}, {@code 10s}, {@code 2m}. */
    static Duration parseDuration(String name, String text) {
        try {
            Duration d;
            if (text.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (text.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            } else if (text.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            } else {
                throw new NumberFormatException();
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("--" + name + " must be positive");
            }
            return d;
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("--" + name + " must look like 500ms, 10s or 2m");
        }
    }

    /** For logs: never prints the enrolment key. */
    @Override
    public String toString() {
        return "AgentOptions[controller=" + controller + ", enrolKey=" + (enrolKey == null ? "none" : "(set)")
                + ", interface=" + interfaceName + ", stateDir=" + stateDir + ", statsInterval=" + statsInterval
                + ", metricsListen=" + metricsListen + ", probePort=" + probePort + ", caFingerprint=" + caFingerprint
                + ", listenPort=" + listenPort + "]";
    }
}
