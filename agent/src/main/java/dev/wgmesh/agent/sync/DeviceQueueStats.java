package dev.wgmesh.agent.sync;

import com.google.protobuf.ByteString;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.device.DropReason;
import dev.wgmesh.dataplane.device.PeerStatistics;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import dev.wgmesh.proto.v1.Drops;
import dev.wgmesh.proto.v1.WorkerStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link QueueStatsSource} over the userspace {@link Device}: {@link Device#peerStatistics()} for each peer's
 * FQ-CoDel tin, {@link Device#counters()} for the device-wide drop reasons, {@link Device#workerStatistics()} for
 * the crypto workers (none inline: each inline I/O thread queues and encrypts itself). With the inline queues
 * switched off ({@link Device#INLINE_FQ_ENV}) peers are missing (zeros) and {@link #available()} is false.
 *
 * <p>Sojourn percentiles are the tin's histogram since the peer was added (the data plane keeps no per-interval
 * histogram), accurate to one histogram bucket (about 19%).
 */
public final class DeviceQueueStats implements QueueStatsSource {
    private final Device device;

    public DeviceQueueStats(Device device) {
        this.device = device;
    }

    @Override
    public Map<ByteString, PeerQueue> peers() {
        List<PeerStatistics> stats = device.peerStatistics();
        Map<ByteString, PeerQueue> out = new HashMap<>(stats.size() * 2);
        for (PeerStatistics p : stats) {
            if (p.queue() != null) {
                out.put(ByteString.copyFrom(p.publicKey()), of(p.queue()));
            }
        }
        return out;
    }

    static PeerQueue of(PeerQueueStats.Snapshot q) {
        return new PeerQueue(
                q.queuedPackets(),
                q.queuedBytes(),
                q.sojournP50Nanos() / 1000,
                q.sojournP99Nanos() / 1000,
                q.sojournMaxNanos() / 1000,
                Drops.newBuilder()
                        .setOverflow(q.dropsOverflow())
                        .setCodel(q.dropsCodel())
                        .setOther(q.dropsNonceExhausted())
                        .build(),
                q.ecnMarks());
    }

    @Override
    public Drops deviceDrops() {
        Drops.Builder d = Drops.newBuilder();
        for (DropReason r : DropReason.values()) {
            long n = device.counters().drops(r);
            if (n == 0) {
                continue;
            }
            switch (r) {
                case NO_ROUTE, SOURCE_NOT_ALLOWED -> d.setNoRoute(d.getNoRoute() + n);
                case REPLAY -> d.setReplay(d.getReplay() + n);
                case AUTH_FAILURE, UNKNOWN_INDEX, MAC1_INVALID, HANDSHAKE_REJECTED -> d.setAuth(d.getAuth() + n);
                case STAGED_OVERFLOW, QUEUE_OVERFLOW, NO_BUFFER, HANDSHAKE_RATE_LIMITED ->
                    d.setOverflow(d.getOverflow() + n);
                default -> d.setOther(d.getOther() + n); // malformed, key expired, invalid inner, no endpoint, I/O
            }
        }
        for (PeerQueue q : peers().values()) { // FQ-CoDel counts its drops per tin only
            d.setOverflow(d.getOverflow() + q.drops().getOverflow())
                    .setCodel(d.getCodel() + q.drops().getCodel())
                    .setOther(d.getOther() + q.drops().getOther());
        }
        return d.build();
    }

    @Override
    public List<WorkerStats> workers() {
        List<dev.wgmesh.dataplane.stats.WorkerStats.Snapshot> ws = device.workerStatistics();
        List<WorkerStats> out = new ArrayList<>(ws.size());
        for (int i = 0; i < ws.size(); i++) {
            out.add(WorkerStats.newBuilder()
                    .setName("crypto-" + i)
                    .setBusyNs(ws.get(i).busyNanos())
                    .setPackets(ws.get(i).packets())
                    .build());
        }
        return out;
    }

    @Override
    public boolean available() {
        return device.hasQueueStatistics();
    }
}
