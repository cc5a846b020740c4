package dev.wgmesh.dataplane.device;

import java.util.Locale;

/**
 * How a device spreads its data path over threads. Chosen per device ({@link Device#Device(dev.wgmesh.dataplane.io.TunDevice,
 * dev.wgmesh.dataplane.io.UdpTransport, dev.wgmesh.dataplane.time.Scheduler, DataPathMode)}) or from the environment
 * ({@link #fromEnvironment}).
 */
public enum DataPathMode {
    /**
     * Every stage on the I/O thread that read the packet: the TUN reader routes, encrypts and sends; the UDP receiver
     * decrypts and writes to the TUN. No hand-off, one core per direction. Each thread drains the kernel's queue into
     * its own FQ-CoDel per peer (DRR across peers; the receiver's flows are size classes) between rounds of crypto
     * ({@link InlineQueues}), so a flood queues where it is managed and a sparse flow is served in the next round;
     * packets waiting for a handshake sit in the peer's small staging queue.
     */
    INLINE,
    /**
     * The fair multi-core path: TUN reader → per-peer FQ-CoDel → DRR across peers under a DQL crypto budget, counters
     * at dequeue → {@code OrderedCryptoPipeline} over all cores, per-peer order restored → UDP; received transport
     * data is decrypted on the same workers, per-peer order restored before the replay filter → TUN.
     */
    PARALLEL,
    /**
     * {@link #INLINE} once per queue: a multi-queue TUN ({@link dev.wgmesh.dataplane.io.MultiQueueTun}) and as many
     * SO_REUSEPORT sockets ({@link dev.wgmesh.dataplane.io.MultiSocketUdp}); per queue one TUN reader and one UDP
     * receiver, pinned to the queue's core, each doing every stage for its packets with no hand-off. The kernel keeps
     * a flow on one TUN queue and a peer's datagrams on one socket; send counters are atomic per keypair, so workers
     * sending to the same peer never share a nonce. Over a plain TUN and socket it is {@link #INLINE}.
     */
    PER_FLOW,
    /**
     * Per peer, from measured load ({@link HybridChooser}): a peer sending fast (an elephant) takes the parallel path
     * on transmit, mice stay inline with no hand-off; received transport data always takes the parallel path's
     * receive tins (fair and CoDel-managed before decryption). The threshold is {@code wgmesh.hybrid.pps} /
     * {@code WGMESH_HYBRID_PPS} (packets per second, default 6,000).
     */
    HYBRID;

    /** Environment variable naming how many queues {@link #PER_FLOW} uses (default: the number of cores). */
    public static final String QUEUES_ENV = "WGMESH_QUEUES";
    /** Environment variable (and, lower-cased with dots, system property {@code wgmesh.datapath}) naming the mode. */
    public static final String ENV = "WGMESH_DATAPATH";

    /**
     * Parses {@code parallel}, {@code inline}, {@code per-flow}, {@code hybrid} or {@code auto} (case and
     * surrounding blanks ignored; null or empty is {@code auto}).
     *
     * <p>{@code auto} is {@link #INLINE}, measured: on the shared 2-core build machine (load 15–20) the last
     * {@code bench/fairpath.sh} run had inline ahead of hybrid and parallel on single-stream TCP (0.07 against
     * 0.03 Gb/s; wireguard-go 0.22) and on ping p99 under a UDP flood (43 against 195 and 281 ms; wireguard-go
     * 114), while in a separate A/B at the same load the reworked parallel path cut that p99 from 2.3 s to 80 ms.
     * Every hand-off costs a scheduling delay there; on a quiet machine with free cores the ranking may change, and
     * {@code cores} is kept so {@code auto} can pick {@link #HYBRID} from that measurement.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static DataPathMode parse(String value, int cores) {
        String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "parallel" -> PARALLEL;
            case "inline" -> INLINE;
            case "per-flow", "perflow" -> PER_FLOW;
            case "hybrid" -> HYBRID;
            case "auto", "" -> INLINE;
            default ->
                throw new IllegalArgumentException(
                        "unknown data path mode '" + value + "' (expected parallel, inline, per-flow, hybrid or auto)");
        };
    }

    /**
     * The queue count for {@link #PER_FLOW} from {@value #QUEUES_ENV} ({@code null} or empty: {@code cores}).
     *
     * @throws IllegalArgumentException unless a number from 1 to 64
     */
    public static int parseQueues(String value, int cores) {
        return parseQueueCount(QUEUES_ENV, value, Math.max(1, Math.min(cores, 64)));
    }

    /**
     * A queue count from the setting {@code name}: {@code null} or empty gives {@code whenUnset}.
     *
     * @throws IllegalArgumentException naming the setting, unless a number from 1 to 64
     */
    public static int parseQueueCount(String name, String value, int whenUnset) {
        if (value == null || value.isBlank()) {
            return whenUnset;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a number from 1 to 64, not '" + value + "'");
    }

    /** The configured mode name: system property {@code wgmesh.datapath}, else {@value #ENV} in {@code env}. */
    public static String configured(java.util.Map<String, String> env) {
        String v = System.getProperty("wgmesh.datapath");
        return v != null ? v : env.get(ENV);
    }

    /** The mode named by system property {@code wgmesh.datapath}, else {@value #ENV}, else {@code auto}. */
    public static DataPathMode fromEnvironment() {
        String v = System.getProperty("wgmesh.datapath");
        if (v == null) {
            v = System.getenv(ENV);
        }
        return parse(v, Runtime.getRuntime().availableProcessors());
    }
}
