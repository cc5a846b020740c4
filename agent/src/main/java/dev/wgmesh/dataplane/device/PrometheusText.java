package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.stats.LogHistogram;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import dev.wgmesh.dataplane.stats.WorkerStats;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * Renders a device's statistics in the Prometheus text exposition format (version 0.0.4), by hand so the data plane
 * needs no metrics library. Peers are labelled by public key (public, never secret); durations are in seconds.
 */
public final class PrometheusText {
    private PrometheusText() {}

    /** The exposition for {@code device}, labelled {@code interface="<name>"}. */
    public static String render(Device device, String iface) {
        StringBuilder sb = new StringBuilder(4096);
        String dev = "interface=\"" + escape(iface) + "\"";
        header(sb, "wgmesh_drops_total", "counter", "Packets the device dropped, by reason.");
        for (DropReason r : DropReason.values()) {
            line(
                    sb,
                    "wgmesh_drops_total",
                    dev + ",reason=\"" + r.name().toLowerCase() + "\"",
                    device.counters().drops(r));
        }
        header(sb, "wgmesh_handshakes_total", "counter", "Sessions derived (either role).");
        line(sb, "wgmesh_handshakes_total", dev, device.counters().handshakesCompleted());
        header(
                sb,
                "wgmesh_priority_loans_total",
                "counter",
                "Times a stalled busy I/O thread was lent real-time priority.");
        line(sb, "wgmesh_priority_loans_total", dev, device.stallLoans());
        header(
                sb,
                "wgmesh_express_packets_total",
                "counter",
                "Small packets an I/O thread sealed or opened itself, past the parallel path's queues.");
        line(
                sb,
                "wgmesh_express_packets_total",
                dev + ",direction=\"tx\"",
                device.counters().expressSentPackets());
        line(
                sb,
                "wgmesh_express_packets_total",
                dev + ",direction=\"rx\"",
                device.counters().expressReceivedPackets());
        header(sb, "wgmesh_crypto_budget_bytes", "gauge", "Current DQL limit on bytes in flight to crypto.");
        line(sb, "wgmesh_crypto_budget_bytes", dev, device.cryptoBudgetLimit());

        List<PeerStatistics> peers = device.peerStatistics();
        // The format wants each metric's samples together, after its HELP and TYPE: one pass per metric.
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_rx_bytes_total",
                "counter",
                "Authenticated bytes received.",
                PeerStatistics::rxBytes);
        perPeer(sb, peers, dev, "wgmesh_peer_tx_bytes_total", "counter", "Bytes sent.", PeerStatistics::txBytes);
        queueMetrics(sb, peers, dev);
        header(sb, "wgmesh_stage_seconds", "gauge", "Per-stage wait quantiles of the parallel path, seconds.");
        for (Map.Entry<String, LogHistogram> e : device.stageLatencies().entrySet()) {
            String l = dev + ",stage=\"" + e.getKey() + "\"";
            LogHistogram h = e.getValue();
            quantiles(sb, "wgmesh_stage_seconds", l, h.quantile(0.5), h.quantile(0.99), h.max());
        }
        List<WorkerStats.Snapshot> workers = device.workerStatistics();
        // The last crypto thread is the parallel path's dispatcher, helping with queued batches.
        perWorker(
                sb,
                workers,
                dev,
                "wgmesh_worker_busy_seconds_total",
                "Time each crypto thread spent on crypto (the last is the dispatcher helping).",
                true);
        perWorker(sb, workers, dev, "wgmesh_worker_packets_total", "Packets each crypto thread processed.", false);
        return sb.toString();
    }

    /** The FQ-CoDel tins of every peer, {@code direction="tx"} (before encryption) and {@code "rx"} (before decryption). */
    private static void queueMetrics(StringBuilder sb, List<PeerStatistics> peers, String dev) {
        header(sb, "wgmesh_peer_queue_packets", "gauge", "Packets queued (FQ-CoDel tin).");
        queueMetric(sb, peers, dev, "wgmesh_peer_queue_packets", null, PeerQueueStats.Snapshot::queuedPackets);
        header(sb, "wgmesh_peer_queue_bytes", "gauge", "Bytes queued.");
        queueMetric(sb, peers, dev, "wgmesh_peer_queue_bytes", null, PeerQueueStats.Snapshot::queuedBytes);
        String drops = "wgmesh_peer_queue_drops_total";
        header(sb, drops, "counter", "Queue drops by reason.");
        queueMetric(sb, peers, dev, drops, "reason=\"overflow\"", PeerQueueStats.Snapshot::dropsOverflow);
        queueMetric(sb, peers, dev, drops, "reason=\"codel\"", PeerQueueStats.Snapshot::dropsCodel);
        queueMetric(sb, peers, dev, drops, "reason=\"nonce\"", PeerQueueStats.Snapshot::dropsNonceExhausted);
        header(sb, "wgmesh_peer_ecn_marks_total", "counter", "Packets CoDel marked CE.");
        queueMetric(sb, peers, dev, "wgmesh_peer_ecn_marks_total", null, PeerQueueStats.Snapshot::ecnMarks);
        header(sb, "wgmesh_peer_sojourn_seconds", "gauge", "Queue sojourn time quantiles (CoDel), seconds.");
        forEachQueue(
                peers,
                dev,
                (l, q) -> quantiles(
                        sb,
                        "wgmesh_peer_sojourn_seconds",
                        l,
                        q.sojournP50Nanos(),
                        q.sojournP99Nanos(),
                        q.sojournMaxNanos()));
    }

    private static void queueMetric(
            StringBuilder sb,
            List<PeerStatistics> peers,
            String dev,
            String name,
            String extraLabel,
            ToLongFunction<PeerQueueStats.Snapshot> value) {
        forEachQueue(
                peers,
                dev,
                (l, q) -> line(sb, name, extraLabel == null ? l : l + "," + extraLabel, value.applyAsLong(q)));
    }

    /** Each peer's transmit and receive tin that exists, with its labels. */
    private static void forEachQueue(
            List<PeerStatistics> peers, String dev, BiConsumer<String, PeerQueueStats.Snapshot> out) {
        for (PeerStatistics p : peers) {
            if (p.queue() != null) {
                out.accept(peerLabels(dev, p) + ",direction=\"tx\"", p.queue());
            }
            if (p.receiveQueue() != null) {
                out.accept(peerLabels(dev, p) + ",direction=\"rx\"", p.receiveQueue());
            }
        }
    }

    private static void perPeer(
            StringBuilder sb,
            List<PeerStatistics> peers,
            String dev,
            String name,
            String type,
            String help,
            ToLongFunction<PeerStatistics> value) {
        header(sb, name, type, help);
        for (PeerStatistics p : peers) {
            line(sb, name, peerLabels(dev, p), value.applyAsLong(p));
        }
    }

    /** Busy time (in seconds) or packets, per worker. */
    private static void perWorker(
            StringBuilder sb, List<WorkerStats.Snapshot> workers, String dev, String name, String help, boolean busy) {
        header(sb, name, "counter", help);
        for (int w = 0; w < workers.size(); w++) {
            String l = dev + ",worker=\"" + w + "\"";
            if (busy) {
                seconds(sb, name, l, workers.get(w).busyNanos());
            } else {
                line(sb, name, l, workers.get(w).packets());
            }
        }
    }

    private static void quantiles(StringBuilder sb, String name, String labels, long p50, long p99, long max) {
        seconds(sb, name, labels + ",quantile=\"0.5\"", p50);
        seconds(sb, name, labels + ",quantile=\"0.99\"", p99);
        seconds(sb, name, labels + ",quantile=\"1\"", max);
    }

    private static String peerLabels(String dev, PeerStatistics p) {
        return dev + ",peer=\"" + Keys.toBase64(p.publicKey()) + "\"";
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder sb, String name, String labels, long value) {
        sb.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static void seconds(StringBuilder sb, String name, String labels, long nanos) {
        sb.append(name)
                .append('{')
                .append(labels)
                .append("} ")
                .append(nanos / 1e9)
                .append('\n');
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
