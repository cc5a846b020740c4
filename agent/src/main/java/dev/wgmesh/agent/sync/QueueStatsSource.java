package dev.wgmesh.agent.sync;

import dev.wgmesh.proto.v1.Drops;

/**
 * Per-peer queue figures of the data plane (FQ-CoDel queue depth, sojourn percentiles, drops by reason, ECN marks).
 *
 * <p>Seam: the Device on main exposes only device-wide counters, not per-peer queue statistics (the fair multi-core
 * path is adding them). Until then the agent uses {@link #NONE} and reports zeros and does not announce
 * CAPABILITY_QUEUE_STATS; an implementation over the new Device API plugs in here.
 */
public interface QueueStatsSource {
    /** Figures of one peer; all zero when unknown. */
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

    /** @param publicKey the peer's 32-byte public key */
    PeerQueue peer(byte[] publicKey);

    /** True when the figures are real (announces CAPABILITY_QUEUE_STATS). */
    boolean available();

    QueueStatsSource NONE = new QueueStatsSource() {
        @Override
        public PeerQueue peer(byte[] publicKey) {
            return PeerQueue.NONE;
        }

        @Override
        public boolean available() {
            return false;
        }
    };
}
