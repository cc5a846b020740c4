package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.stats.PeerQueueStats;

/**
 * One peer's counters at a moment ({@link Device#peerStatistics}).
 *
 * @param publicKey the peer's public key (a copy)
 * @param rxBytes authenticated bytes received (wire size)
 * @param txBytes bytes sent (wire size)
 * @param lastHandshakeEpochNanos wall time of the last completed handshake, 0 if none
 * @param queue the peer's FQ-CoDel tin (depth, bytes, sojourn p50/p99/max, overflow and CoDel drops, ECN marks);
 *     null in {@link DataPathMode#INLINE}, or before the peer ever queued a packet
 * @param receiveQueue the peer's receive tin (transport messages waiting for decryption), same fields; null when
 *     {@code queue} would be, or before the peer's first received packet
 */
public record PeerStatistics(
        byte[] publicKey,
        long rxBytes,
        long txBytes,
        long lastHandshakeEpochNanos,
        PeerQueueStats.Snapshot queue,
        PeerQueueStats.Snapshot receiveQueue) {
    @Override
    public String toString() {
        return "PeerStatistics[" + Keys.toBase64(publicKey) + ", rx=" + rxBytes + ", tx=" + txBytes + ", queue=" + queue
                + ", receiveQueue=" + receiveQueue + "]";
    }
}
