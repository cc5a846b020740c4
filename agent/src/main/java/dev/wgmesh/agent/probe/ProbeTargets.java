package dev.wgmesh.agent.probe;

import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.proto.v1.PeerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which peers the controller wants probed ({@code PeerConfig.probe} and {@code probe_address}), applied to a
 * {@link LatencyProber}. Peers are named by their base64 public key, as wg(8) prints it and as the metrics label it.
 */
public final class ProbeTargets {
    private ProbeTargets() {}

    /**
     * The probe targets of {@code peers} (the agent's whole current peer list), every address validated first.
     *
     * @throws IllegalArgumentException a probed peer has no or an invalid probe address (names the peer, not its key)
     */
    public static Map<String, InetSocketAddress> of(List<PeerConfig> peers, int port) {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        for (PeerConfig p : peers) {
            if (!p.getProbe()) {
                continue;
            }
            String who = p.getName().isEmpty() ? "a probed peer" : "peer '" + p.getName() + "'";
            if (p.getPublicKey().size() != 32) {
                throw new IllegalArgumentException(who + " public_key must be 32 bytes");
            }
            try {
                InetAddress addr = InetAddress.getByAddress(IpPrefix.parseAddress(p.getProbeAddress()));
                out.put(
                        Base64.getEncoder().encodeToString(p.getPublicKey().toByteArray()),
                        new InetSocketAddress(addr, port));
            } catch (IllegalArgumentException | UnknownHostException ex) {
                throw new IllegalArgumentException(who + " probe_address: " + ex.getMessage());
            }
        }
        return out;
    }

    /** Makes the prober probe exactly {@code targets}: adds new ones, moves changed ones, drops the rest. */
    public static void apply(LatencyProber prober, Map<String, InetSocketAddress> targets) {
        for (String peer : prober.peers()) {
            if (!targets.containsKey(peer)) {
                prober.removePeer(peer);
            }
        }
        targets.forEach(prober::addPeer);
    }
}
