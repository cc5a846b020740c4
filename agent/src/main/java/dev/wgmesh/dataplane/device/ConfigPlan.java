package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.io.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ConfigChange} checked in full before anything is applied ("validate, then apply": one bad part refuses
 * the whole change). Parsed values (endpoints) are kept so applying cannot fail on them.
 */
record ConfigPlan(ConfigChange change, List<PeerPlan> peers) {

    record PeerPlan(ConfigChange.PeerChange change, PublicKeyId id, Endpoint endpoint) {}

    static ConfigPlan validate(ConfigChange change) throws ConfigException {
        if (change.privateKey() != null && change.privateKey().length != 32) {
            throw invalid("private_key must be 32 bytes");
        }
        if (change.listenPort() != null && (change.listenPort() < 0 || change.listenPort() > 65535)) {
            throw invalid("listen_port out of range");
        }
        List<PeerPlan> peers = new ArrayList<>();
        for (ConfigChange.PeerChange pc : change.peers()) {
            peers.add(validate(pc));
        }
        return new ConfigPlan(change, List.copyOf(peers));
    }

    private static PeerPlan validate(ConfigChange.PeerChange pc) throws ConfigException {
        if (pc.publicKey() == null || pc.publicKey().length != 32) {
            throw invalid("public_key must be 32 bytes");
        }
        PublicKeyId id = PublicKeyId.of(pc.publicKey(), 0);
        if (pc.remove()) {
            return new PeerPlan(pc, id, null);
        }
        if (pc.presharedKey() != null && pc.presharedKey().length != 32) {
            throw invalid("preshared_key must be 32 bytes");
        }
        Integer keepalive = pc.persistentKeepaliveSeconds();
        if (keepalive != null && (keepalive < 0 || keepalive > 65535)) {
            throw invalid("persistent_keepalive_interval out of range");
        }
        for (IpPrefix p : pc.allowedIps()) {
            if (p == null) {
                throw invalid("allowed_ip missing");
            }
        }
        Endpoint endpoint = null;
        if (pc.endpoint() != null) {
            try {
                endpoint = Endpoint.parse(pc.endpoint());
            } catch (IllegalArgumentException e) {
                throw invalid("endpoint: " + e.getMessage());
            }
        }
        return new PeerPlan(pc, id, endpoint);
    }

    private static ConfigException invalid(String message) {
        return new ConfigException(ConfigException.EINVAL, message);
    }
}
