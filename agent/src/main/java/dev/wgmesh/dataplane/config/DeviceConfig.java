package dev.wgmesh.dataplane.config;

import java.util.List;

/**
 * What a WireGuard device runs, as {@code wg showconf} and the UAPI {@code get=1} report it, plus runtime statistics.
 *
 * <p>Key material is raw 32-byte arrays; callers must not log them. {@code privateKey} is null when unset.
 *
 * @param privateKey 32 bytes or null
 * @param listenPort UDP port actually bound (0 when none)
 * @param fwmark 0 when unset
 * @param peers in the order they were added
 */
public record DeviceConfig(byte[] privateKey, int listenPort, int fwmark, List<PeerConfig> peers) {

    /**
     * One peer as configured plus its counters.
     *
     * @param publicKey 32 bytes
     * @param presharedKey 32 bytes, or null when none (reported as all zero by UAPI)
     * @param endpoint {@code host:port} / {@code [v6]:port} text, or null
     * @param persistentKeepaliveSeconds 0 = off
     * @param allowedIps canonical prefixes in insertion order
     * @param lastHandshakeEpochNanos wall-clock time of the last completed handshake, 0 = never
     * @param rxBytes bytes received from this peer (outer, as WireGuard counts them)
     * @param txBytes bytes sent to this peer
     */
    public record PeerConfig(
            byte[] publicKey,
            byte[] presharedKey,
            String endpoint,
            int persistentKeepaliveSeconds,
            List<IpPrefix> allowedIps,
            long lastHandshakeEpochNanos,
            long rxBytes,
            long txBytes) {}
}
