package dev.wgmesh.dataplane.config;

import java.util.List;

/**
 * One atomic change to a device, as a UAPI {@code set=1} transaction or an agent config delta expresses it.
 *
 * <p>Contract for {@link DeviceConfigurator#apply}: the whole change is validated first; if any part is invalid
 * nothing is applied. Fields left null are unchanged ("nil means unchanged").
 *
 * @param privateKey new 32-byte private key; an all-zero array removes it; null = unchanged
 * @param listenPort new port (0 = pick one); null = unchanged
 * @param fwmark new mark (0 = clear); null = unchanged
 * @param replacePeers remove every peer not named in {@code peers} before applying them
 * @param peers per-peer changes in order
 */
public record ConfigChange(
        byte[] privateKey, Integer listenPort, Integer fwmark, boolean replacePeers, List<PeerChange> peers) {

    public ConfigChange {
        peers = List.copyOf(peers);
    }

    /**
     * A change to one peer, identified by its public key.
     *
     * @param publicKey 32 bytes
     * @param remove delete the peer (other fields ignored)
     * @param updateOnly only change the peer if it already exists; never create it
     * @param presharedKey 32 bytes; all zero removes it; null = unchanged
     * @param endpoint new endpoint ({@code host:port} literal); null = unchanged
     * @param persistentKeepaliveSeconds 0 = off; null = unchanged
     * @param replaceAllowedIps drop the peer's current allowed IPs before adding {@code allowedIps}
     * @param allowedIps prefixes to add (a prefix another peer holds moves to this one)
     */
    public record PeerChange(
            byte[] publicKey,
            boolean remove,
            boolean updateOnly,
            byte[] presharedKey,
            String endpoint,
            Integer persistentKeepaliveSeconds,
            boolean replaceAllowedIps,
            List<IpPrefix> allowedIps) {

        public PeerChange {
            allowedIps = List.copyOf(allowedIps);
        }
    }
}
