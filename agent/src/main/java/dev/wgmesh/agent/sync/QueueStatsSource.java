package dev.wgmesh.agent.sync;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.Drops;
import dev.wgmesh.proto.v1.WorkerStats;
import java.util.List;
import java.util.Map;

/**
 * The data plane's queue and drop figures as the agent reports them: per peer (FQ-CoDel depth, sojourn percentiles,
 * drops by reason, ECN marks), device-wide drops and per-worker busy time. {@link DeviceQueueStats} reads them from
 * the {@link dev.wgmesh.dataplane.device.Device}; {@link #NONE} is for a data plane without them.
 *
 * <p>Any thread; each call is one cheap read of the data plane's single-writer counters.
 */
public interface QueueStatsSource {
    /**
     * Figures of one peer's queue; all zero when unknown. Sojourn figures are in microseconds.
     *
     * @param drops the drops this peer's queue made (overflow, codel) and, as {@code other}, packets it dropped
     *     because its keypair ran out of nonces; the reasons no peer can be named for are in {@link #deviceDrops}
     */
    record PeerQueue(
            long packets,
            long bytes,
            long sojournP50Micros,
            long sojournP99Micros,
            long sojournMaxMicros,
            Drops drops,
            long ecnMarks) {
        public static final PeerQueue NONE = new PeerQueue(0, 0, 0, 0, 0, Drops.getDefaultInstance(), 0);
    }

    /** Every peer's queue at one moment, keyed by public key; a peer that never queued a packet is missing. */
    Map<ByteString, PeerQueue> peers();

    /** Drops of the whole device by reason, since it started (includes every peer's queue drops). */
    Drops deviceDrops();

    /** Per crypto worker: busy time and packets since start; empty when the data plane has no workers. */
    List<WorkerStats> workers();

    /** True when the data plane has per-peer queues (announces CAPABILITY_QUEUE_STATS). */
    boolean available();

    QueueStatsSource NONE = new QueueStatsSource() {
        @Override
        public Map<ByteString, PeerQueue> peers() {
            return Map.of();
        }

        @Override
        public Drops deviceDrops() {
            return Drops.getDefaultInstance();
        }

        @Override
        public List<WorkerStats> workers() {
            return List.of();
        }

        @Override
        public boolean available() {
            return false;
        }
    };
}
