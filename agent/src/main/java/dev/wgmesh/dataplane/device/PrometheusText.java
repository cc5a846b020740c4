package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import dev.wgmesh.dataplane.stats.WorkerStats;
import java.util.List;

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
                null,
                (p, q) -> p.rxBytes(),
                false);
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_tx_bytes_total",
                "counter",
                "Bytes sent.",
                null,
                (p, q) -> p.txBytes(),
                false);
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_queue_packets",
                "gauge",
                "Packets queued (FQ-CoDel tin).",
                null,
                (p, q) -> q.queuedPackets(),
                true);
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_queue_bytes",
                "gauge",
                "Bytes queued.",
                null,
                (p, q) -> q.queuedBytes(),
                true);
        header(sb, "wgmesh_peer_queue_drops_total", "counter", "Queue drops by reason.");
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_queue_drops_total",
                null,
                null,
                "reason=\"overflow\"",
                (p, q) -> q.dropsOverflow(),
                true);
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_queue_drops_total",
                null,
                null,
                "reason=\"codel\"",
                (p, q) -> q.dropsCodel(),
                true);
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_queue_drops_total",
                null,
                null,
                "reason=\"nonce\"",
                (p, q) -> q.dropsNonceExhausted(),
                true);
        perPeer(
                sb,
                peers,
                dev,
                "wgmesh_peer_ecn_marks_total",
                "counter",
                "Packets CoDel marked CE.",
                null,
                (p, q) -> q.ecnMarks(),
                true);
        header(sb, "wgmesh_peer_sojourn_seconds", "gauge", "Queue sojourn time quantiles (CoDel), seconds.");
        for (PeerStatistics p : peers) {
            PeerQueueStats.Snapshot q = p.queue();
            if (q != null) {
                String l = peerLabels(dev, p);
                seconds(sb, "wgmesh_peer_sojourn_seconds", l + ",quantile=\"0.5\"", q.sojournP50Nanos());
                seconds(sb, "wgmesh_peer_sojourn_seconds", l + ",quantile=\"0.99\"", q.sojournP99Nanos());
                seconds(sb, "wgmesh_peer_sojourn_seconds", l + ",quantile=\"1\"", q.sojournMaxNanos());
            }
        }
        List<WorkerStats.Snapshot> workers = device.workerStatistics();
        header(sb, "wgmesh_worker_busy_seconds_total", "counter", "Time each crypto worker spent working.");
        for (int w = 0; w < workers.size(); w++) {
            seconds(
                    sb,
                    "wgmesh_worker_busy_seconds_total",
                    dev + ",worker=\"" + w + "\"",
                    workers.get(w).busyNanos());
        }
        header(sb, "wgmesh_worker_packets_total", "counter", "Packets each crypto worker processed.");
        for (int w = 0; w < workers.size(); w++) {
            line(
                    sb,
                    "wgmesh_worker_packets_total",
                    dev + ",worker=\"" + w + "\"",
                    workers.get(w).packets());
        }
        return sb.toString();
    }

    private interface PeerValue {
        long get(PeerStatistics p, PeerQueueStats.Snapshot q);
    }

    private static void perPeer(
            StringBuilder sb,
            List<PeerStatistics> peers,
            String dev,
            String name,
            String type,
            String help,
            String extraLabel,
            PeerValue value,
            boolean needsQueue) {
        if (type != null) {
            header(sb, name, type, help);
        }
        for (PeerStatistics p : peers) {
            if (needsQueue && p.queue() == null) {
                continue;
            }
            String l = peerLabels(dev, p) + (extraLabel == null ? "" : "," + extraLabel);
            line(sb, name, l, value.get(p, p.queue()));
        }
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
