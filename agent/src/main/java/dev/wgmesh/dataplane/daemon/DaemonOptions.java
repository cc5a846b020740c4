package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.dataplane.device.Device;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * wireguard-go's command line and environment (wireguard.com/xplatform "Interface"):
 *
 * <pre>
 *   wgmesh-wg [-f|--foreground] INTERFACE-NAME
 *   WG_PROCESS_FOREGROUND=1   same as -f (the daemonized child runs with it)
 *   LOG_LEVEL=verbose|debug|error|silent   (default, and for unknown values: error)
 *   WGMESH_DATAPATH=parallel|inline|auto    data path mode (default auto, currently inline)
 *   WGMESH_METRICS_LISTEN=host:port         Prometheus text on GET /metrics (off unless set)
 *   WGMESH_WAKE_PRIORITY=on|off             real-time priority for idle data-plane threads (default on)
 *   WGMESH_STALL_GUARD=on|off               lend it to busy ones kept off their CPU (default off)
 *   WGMESH_EXPRESS=on|off                   parallel/hybrid: small packets past the queues (default on)
 *   -Dwgmesh.aead=split|jce                 (a JVM option) the ChaCha20-Poly1305 engine (default: by CPU)
 * </pre>
 *
 * The WGMESH_ ones are ours (more are in the README); they are checked here so a typo fails at start with a
 * message, not later.
 */
public record DaemonOptions(String interfaceName, boolean foreground, Level logLevel, boolean logLevelSet) {

    public static final String USAGE = "Usage: wgmesh-wg [-f/--foreground] INTERFACE-NAME";

    /** @throws IllegalArgumentException with a usage message for anything else */
    public static DaemonOptions parse(List<String> args, Map<String, String> env) {
        boolean foreground = "1".equals(env.get("WG_PROCESS_FOREGROUND"));
        String name;
        if (args.size() == 2 && (args.get(0).equals("-f") || args.get(0).equals("--foreground"))) {
            foreground = true;
            name = args.get(1);
        } else if (args.size() == 1 && !args.get(0).startsWith("-")) {
            name = args.get(0);
        } else {
            throw new IllegalArgumentException(USAGE);
        }
        if (name.isEmpty()
                || name.length() > 15
                || name.contains("/")
                || name.contains(" ")
                || name.equals(".")
                || name.equals("..")) {
            throw new IllegalArgumentException("invalid interface name '" + name + "'");
        }
        String level = env.get("LOG_LEVEL");
        Level l =
                switch (level == null ? "" : level) {
                    case "verbose", "debug" -> Level.FINE;
                    case "silent" -> Level.OFF;
                    default -> Level.SEVERE; // "error", unset or unknown: wireguard-go falls back to error too
                };
        DataPathMode.parse(DataPathMode.configured(env), Runtime.getRuntime().availableProcessors());
        DataPathMode.parseQueues(
                env.get(DataPathMode.QUEUES_ENV), Runtime.getRuntime().availableProcessors());
        DaemonIo.parseOffload(env.get(DaemonIo.OFFLOAD_ENV));
        DaemonIo.parseRings(env.get(DaemonIo.RINGS_ENV));
        Device.parseWakePriority(env.get(Device.WAKE_PRIORITY_ENV));
        Device.parseStallGuard(env.get(Device.STALL_GUARD_ENV));
        Device.parseExpress(env.get(Device.EXPRESS_ENV));
        ChaChaPoly.parseEngine(System.getProperty(ChaChaPoly.ENGINE_PROPERTY));
        String metrics = env.get(MetricsServer.ENV);
        if (metrics != null && !metrics.isEmpty()) {
            MetricsServer.parseAddress(metrics);
        }
        return new DaemonOptions(name, foreground, l, level != null && !level.isEmpty());
    }
}
