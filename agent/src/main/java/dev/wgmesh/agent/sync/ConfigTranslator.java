package dev.wgmesh.agent.sync;

import com.google.protobuf.ByteString;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigChange.PeerChange;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates between the controller's contract ({@code wgmesh.v1}) and the data plane's configuration contract.
 *
 * <p>Everything is validated here, before the data plane sees it: a malformed key, prefix or endpoint in any peer
 * rejects the whole revision with an {@link IllegalArgumentException} naming the peer and field (never the key
 * material), so nothing is half-applied.
 *
 * <p>Endpoints: an empty endpoint means the controller does not know where the peer is (it will reach us); the
 * peer's current, possibly roamed, endpoint is then kept. A configured endpoint is applied.
 */
public final class ConfigTranslator {
    private static final byte[] ZERO_KEY = new byte[32];

    private ConfigTranslator() {}

    /** A snapshot replaces every peer: peers not listed are removed, listed peers get exactly these settings. */
    public static ConfigChange fromSnapshot(NetworkConfig config) {
        List<PeerChange> peers = new ArrayList<>(config.getPeersCount());
        for (PeerConfig p : config.getPeersList()) {
            peers.add(peerChange(p));
        }
        checkNoDuplicates(peers);
        return new ConfigChange(null, listenPort(config.getInterfaceConfig()), null, true, peers);
    }

    /** A delta removes and upserts the named peers and leaves all others alone. */
    public static ConfigChange fromDelta(Delta delta) {
        List<PeerChange> peers = new ArrayList<>();
        for (ByteString removed : delta.getRemovedPeerKeysList()) {
            peers.add(new PeerChange(key("removed peer", removed), true, false, null, null, null, false, List.of()));
        }
        for (PeerConfig p : delta.getUpsertedPeersList()) {
            peers.add(peerChange(p));
        }
        checkNoDuplicates(peers);
        Integer port = delta.hasInterfaceConfig() ? listenPort(delta.getInterfaceConfig()) : null;
        return new ConfigChange(null, port, null, false, peers);
    }

    /**
     * The configuration the data plane actually runs, in contract form, for the drift hash. {@code applied} is the
     * interface part as the agent applied it on the host; {@code configuredEndpoints} maps public keys (as
     * ByteString) to the endpoint the controller configured, because a roamed endpoint is not drift.
     */
    public static NetworkConfig running(
            DeviceConfig device, InterfaceConfig applied, Map<ByteString, String> configuredEndpoints) {
        NetworkConfig.Builder out = NetworkConfig.newBuilder().setInterfaceConfig(applied);
        for (DeviceConfig.PeerConfig p : device.peers()) {
            ByteString key = ByteString.copyFrom(p.publicKey());
            PeerConfig.Builder b = PeerConfig.newBuilder()
                    .setPublicKey(key)
                    .setEndpoint(configuredEndpoints.getOrDefault(key, ""))
                    .setPersistentKeepaliveSeconds(p.persistentKeepaliveSeconds());
            if (p.presharedKey() != null && !Arrays.equals(p.presharedKey(), ZERO_KEY)) {
                b.setPresharedKey(ByteString.copyFrom(p.presharedKey()));
            }
            p.allowedIps().forEach(prefix -> b.addAllowedIps(prefix.toString()));
            out.addPeers(b);
        }
        return out.build();
    }

    private static PeerChange peerChange(PeerConfig p) {
        String who = p.getName().isEmpty() ? "peer" : "peer '" + p.getName() + "'";
        byte[] publicKey = key(who + " public_key", p.getPublicKey());
        byte[] psk =
                p.getPresharedKey().isEmpty() ? ZERO_KEY.clone() : key(who + " preshared_key", p.getPresharedKey());
        String endpoint = null;
        if (!p.getEndpoint().isEmpty()) {
            try {
                endpoint = Endpoint.parse(p.getEndpoint()).toString();
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(who + " endpoint: " + ex.getMessage());
            }
        }
        if (p.getPersistentKeepaliveSeconds() > 65535) {
            throw new IllegalArgumentException(who + " persistent keepalive must be 0-65535 seconds");
        }
        List<IpPrefix> allowed = new ArrayList<>(p.getAllowedIpsCount());
        for (String prefix : p.getAllowedIpsList()) {
            try {
                allowed.add(IpPrefix.parse(prefix));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(who + " allowed IP: " + ex.getMessage());
            }
        }
        return new PeerChange(publicKey, false, false, psk, endpoint, p.getPersistentKeepaliveSeconds(), true, allowed);
    }

    private static byte[] key(String what, ByteString bytes) {
        if (bytes.size() != 32) {
            throw new IllegalArgumentException(what + " must be 32 bytes");
        }
        return bytes.toByteArray();
    }

    private static Integer listenPort(InterfaceConfig iface) {
        int port = iface.getListenPort();
        if (port > 65535) {
            throw new IllegalArgumentException("listen_port must be 0-65535");
        }
        return port == 0 ? null : port;
    }

    private static void checkNoDuplicates(List<PeerChange> peers) {
        Map<ByteString, Boolean> seen = new HashMap<>();
        for (PeerChange p : peers) {
            if (seen.put(ByteString.copyFrom(p.publicKey()), Boolean.TRUE) != null) {
                throw new IllegalArgumentException("a peer appears twice in one revision");
            }
        }
    }
}
