package dev.wgmesh.dataplane.uapi;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.dataplane.config.IpPrefix;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link DeviceConfigurator} with WireGuard's configuration semantics (peers by public key, allowed IPs
 * move to the peer that claims them last, update_only, remove, replace_*), applied copy-then-swap so a refused
 * change leaves nothing behind. Port {@link #busyPort} is "in use" to exercise apply-time errors.
 */
public final class FakeDevice implements DeviceConfigurator {
    public int busyPort = -1;
    private State state = new State();

    private static final class PeerState {
        byte[] publicKey;
        byte[] presharedKey;
        String endpoint;
        int keepalive;
        java.util.LinkedHashSet<IpPrefix> allowed = new java.util.LinkedHashSet<>();
        long lastHandshake;
        long rx;
        long tx;

        PeerState copy() {
            PeerState p = new PeerState();
            p.publicKey = publicKey;
            p.presharedKey = presharedKey;
            p.endpoint = endpoint;
            p.keepalive = keepalive;
            p.allowed = new java.util.LinkedHashSet<>(allowed);
            p.lastHandshake = lastHandshake;
            p.rx = rx;
            p.tx = tx;
            return p;
        }
    }

    private static final class State {
        byte[] privateKey;
        int port;
        int fwmark;
        Map<ByteBuffer, PeerState> peers = new LinkedHashMap<>();

        State copy() {
            State s = new State();
            s.privateKey = privateKey;
            s.port = port;
            s.fwmark = fwmark;
            peers.forEach((k, v) -> s.peers.put(k, v.copy()));
            return s;
        }
    }

    /** Sets runtime counters on a peer, as a running device would have them. */
    public synchronized void setCounters(byte[] publicKey, long handshakeNanos, long rx, long tx) {
        PeerState p = state.peers.get(ByteBuffer.wrap(publicKey));
        p.lastHandshake = handshakeNanos;
        p.rx = rx;
        p.tx = tx;
    }

    @Override
    public synchronized DeviceConfig snapshot() {
        List<DeviceConfig.PeerConfig> peers = new ArrayList<>();
        for (PeerState p : state.peers.values()) {
            peers.add(new DeviceConfig.PeerConfig(
                    p.publicKey,
                    p.presharedKey,
                    p.endpoint,
                    p.keepalive,
                    List.copyOf(p.allowed),
                    p.lastHandshake,
                    p.rx,
                    p.tx));
        }
        return new DeviceConfig(state.privateKey, state.port, state.fwmark, peers);
    }

    @Override
    public synchronized void apply(ConfigChange change) throws ConfigException {
        State next = state.copy();
        if (change.privateKey() != null) {
            next.privateKey = isZero(change.privateKey()) ? null : change.privateKey();
        }
        if (change.listenPort() != null) {
            if (change.listenPort() == busyPort) {
                throw new ConfigException(ConfigException.EADDRINUSE, "listen_port in use");
            }
            next.port = change.listenPort() == 0 ? 40000 : change.listenPort();
        }
        if (change.fwmark() != null) {
            next.fwmark = change.fwmark();
        }
        if (change.replacePeers()) {
            next.peers.clear();
        }
        for (ConfigChange.PeerChange pc : change.peers()) {
            ByteBuffer key = ByteBuffer.wrap(pc.publicKey());
            if (pc.remove()) {
                next.peers.remove(key);
                continue;
            }
            PeerState p = next.peers.get(key);
            if (p == null) {
                if (pc.updateOnly()) {
                    continue;
                }
                p = new PeerState();
                p.publicKey = pc.publicKey();
                next.peers.put(key, p);
            }
            if (pc.presharedKey() != null) {
                p.presharedKey = isZero(pc.presharedKey()) ? null : pc.presharedKey();
            }
            if (pc.endpoint() != null) {
                p.endpoint = pc.endpoint();
            }
            if (pc.persistentKeepaliveSeconds() != null) {
                p.keepalive = pc.persistentKeepaliveSeconds();
            }
            if (pc.replaceAllowedIps()) {
                p.allowed.clear();
            }
            for (IpPrefix prefix : pc.allowedIps()) {
                if (!p.allowed.contains(prefix)) {
                    for (PeerState other : next.peers.values()) {
                        other.allowed.remove(prefix);
                    }
                    p.allowed.add(prefix);
                }
            }
        }
        state = next;
    }

    private static boolean isZero(byte[] k) {
        for (byte b : k) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
