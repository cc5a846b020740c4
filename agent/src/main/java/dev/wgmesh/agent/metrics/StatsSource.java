package dev.wgmesh.agent.metrics;

import java.util.List;

/**
 * Where {@link AgentMetrics} gets its figures: the data plane's counters, the prober's latency figures and the sync
 * loop's state, combined by whoever wires the agent together. Called once per scrape on the metrics server's thread;
 * implementations return a consistent snapshot and must not block for long.
 */
public interface StatsSource {
    /** One sample per configured peer; peers missing from the list disappear from the endpoint. */
    List<PeerSample> peers();

    /** Agent-wide figures. */
    AgentSample agent();

    /** A source with no peers, not connected, nothing applied (before the data plane and sync are up). */
    StatsSource EMPTY = new StatsSource() {
        @Override
        public List<PeerSample> peers() {
            return List.of();
        }

        @Override
        public AgentSample agent() {
            return new AgentSample(0, false);
        }
    };

    /**
     * Agent-wide figures.
     *
     * @param appliedRevision the configuration revision the agent runs, 0 = none
     * @param controllerConnected whether the Sync stream is up
     */
    record AgentSample(long appliedRevision, boolean controllerConnected) {}

    /**
     * Packets dropped, by reason, since the data plane started (the reasons of {@code wgmesh.v1.Drops}).
     */
    record Drops(long overflow, long codel, long noRoute, long replay, long auth, long other) {
        public static final Drops NONE = new Drops(0, 0, 0, 0, 0, 0);
    }

    /**
     * Figures of one peer (the fields of {@code wgmesh.v1.PeerStats} a Prometheus user looks at).
     *
     * @param publicKey the peer's public key in base64, as wg(8) prints it; the {@code peer} label
     * @param name operator-facing name, may be empty; the {@code name} label
     * @param rxBytes bytes received from the peer since the data plane started
     * @param txBytes bytes sent to the peer since the data plane started
     * @param lastHandshakeUnixMs last completed handshake, 0 = never
     * @param probeRttMicros last probe round trip, 0 = none answered
     * @param probeLoss share of probes lost over the last report interval, 0..1
     * @param queuePackets packets waiting in the peer's queues
     * @param queueBytes bytes waiting in the peer's queues
     * @param sojournP50Micros median queue sojourn time over the last interval
     * @param sojournP99Micros 99th percentile queue sojourn time over the last interval
     * @param drops dropped packets by reason
     */
    record PeerSample(
            String publicKey,
            String name,
            long rxBytes,
            long txBytes,
            long lastHandshakeUnixMs,
            long probeRttMicros,
            float probeLoss,
            long queuePackets,
            long queueBytes,
            long sojournP50Micros,
            long sojournP99Micros,
            Drops drops) {
        public PeerSample {
            if (publicKey == null || publicKey.isEmpty()) {
                throw new IllegalArgumentException("a peer sample needs the peer's public key");
            }
            name = name == null ? "" : name;
            drops = drops == null ? Drops.NONE : drops;
        }
    }
}
