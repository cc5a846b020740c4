package dev.wgmesh.agent.sync;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.agent.probe.ProbeTargets;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigChange.PeerChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.Snapshot;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Applies controller revisions to the data plane ({@link DeviceConfigurator}) and the host ({@link HostApplier}),
 * all or nothing, and persists each applied revision as the fail-static source.
 *
 * <p>Order of one apply:
 * <ol>
 *   <li>validate everything: peers ({@link ConfigTranslator}), interface ({@link HostApplier#validate}), probe
 *       addresses — a malformed revision is rejected before anything changes;
 *   <li>apply to the device (atomic by contract; peers whose keys do not change keep their sessions);
 *   <li>apply to the host; when that fails the device is put back to the configuration it had before;
 *   <li>hash what the device now runs ({@link ConfigTranslator#running}) and persist the revision as a
 *       {@link Snapshot} in {@value #LAST_CONFIG} (atomic write).
 * </ol>
 *
 * <p>Thread-safety: the methods that change state are synchronized (the sync loop is the one caller; the lock only
 * protects {@link #current()} readers such as stats against a half-updated view).
 */
public final class ConfigApplier {
    /** The fail-static source: the last applied revision as a serialized {@link Snapshot}. */
    public static final String LAST_CONFIG = "last-config.pb";

    private static final Logger LOG = System.getLogger(ConfigApplier.class.getName());
    private static final byte[] ZERO_KEY = new byte[32];

    private final DeviceConfigurator device;
    private final HostApplier host;
    private final StateDir state;
    private final Consumer<List<PeerConfig>> onApplied;
    private volatile AppliedState current = AppliedState.NONE;

    /**
     * @param onApplied told the peer list after every successful apply (probe targets); must not throw for a list
     *     that passed {@link ProbeTargets#of} validation
     */
    public ConfigApplier(
            DeviceConfigurator device, HostApplier host, StateDir state, Consumer<List<PeerConfig>> onApplied) {
        this.device = device;
        this.host = host;
        this.state = state;
        this.onApplied = onApplied;
    }

    public AppliedState current() {
        return current;
    }

    /** Replaces the whole configuration with {@code config} as revision {@code revision}. */
    public synchronized AppliedState applySnapshot(long revision, NetworkConfig config) throws ApplyException {
        ConfigChange change;
        try {
            change = ConfigTranslator.fromSnapshot(config);
            validate(config);
        } catch (IllegalArgumentException ex) {
            throw new ApplyException("revision " + revision + " rejected: " + ex.getMessage(), ex);
        }
        return commit(revision, config, change, true);
    }

    /** Applies {@code delta} on top of the current revision; the caller has checked {@code from_revision}. */
    public synchronized AppliedState applyDelta(Delta delta) throws ApplyException {
        ConfigChange change;
        NetworkConfig merged;
        try {
            change = ConfigTranslator.fromDelta(delta);
            merged = merge(current.config(), delta);
            validate(merged);
        } catch (IllegalArgumentException ex) {
            throw new ApplyException("revision " + delta.getRevision() + " rejected: " + ex.getMessage(), ex);
        }
        return commit(delta.getRevision(), merged, change, delta.hasInterfaceConfig());
    }

    /** The persisted revision, if any and readable (a corrupt file is logged and ignored). */
    public Optional<Snapshot> loadPersisted() {
        try {
            Optional<byte[]> bytes = state.read(LAST_CONFIG);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Snapshot.parseFrom(bytes.get()));
        } catch (InvalidProtocolBufferException ex) {
            LOG.log(Level.WARNING, "{0} is corrupt; starting without a persisted configuration", LAST_CONFIG);
            return Optional.empty();
        } catch (IOException ex) {
            LOG.log(Level.WARNING, "cannot read {0}: {1}", LAST_CONFIG, ex.getMessage());
            return Optional.empty();
        }
    }

    /** Removes every peer (revoked with tear-down) and forgets the persisted configuration. */
    public synchronized void tearDown() throws ApplyException {
        try {
            device.apply(new ConfigChange(null, null, null, true, List.of()));
        } catch (ConfigException ex) {
            throw new ApplyException("cannot remove the peers: " + ex.getMessage(), ex);
        }
        try {
            state.delete(LAST_CONFIG);
        } catch (IOException ex) {
            LOG.log(Level.WARNING, "cannot delete {0}: {1}", LAST_CONFIG, ex.getMessage());
        }
        current = AppliedState.NONE;
        onApplied.accept(List.of());
    }

    private static void validate(NetworkConfig config) {
        ProbeTargets.of(config.getPeersList(), 1); // probe addresses must be literals; the port does not matter
    }

    private AppliedState commit(long revision, NetworkConfig config, ConfigChange change, boolean applyHost)
            throws ApplyException {
        InterfaceConfig iface = config.getInterfaceConfig();
        InterfaceConfig hostView;
        try {
            hostView = hostView(config);
            host.validate(hostView);
        } catch (IllegalArgumentException ex) {
            throw new ApplyException("revision " + revision + " rejected: " + ex.getMessage(), ex);
        }
        DeviceConfig before = device.snapshot();
        try {
            device.apply(change);
        } catch (ConfigException ex) {
            throw new ApplyException("revision " + revision + " rejected by the data plane: " + ex.getMessage(), ex);
        }
        if (applyHost) {
            try {
                host.apply(hostView);
            } catch (Exception ex) {
                restore(before, change.listenPort() != null);
                throw new ApplyException("revision " + revision + " failed on the host: " + ex.getMessage(), ex);
            }
        }
        String hash = ConfigHashes.hash(ConfigTranslator.running(device.snapshot(), iface, endpoints(config)));
        AppliedState applied = new AppliedState(revision, config, hash);
        current = applied;
        persist(applied);
        onApplied.accept(config.getPeersList());
        return applied;
    }

    private void persist(AppliedState applied) {
        Snapshot snapshot = Snapshot.newBuilder()
                .setRevision(applied.revision())
                .setConfig(applied.config())
                .setConfigHash(applied.hash())
                .build();
        try {
            state.write(LAST_CONFIG, snapshot.toByteArray());
        } catch (IOException ex) {
            // The revision runs; only a later fail-static restart would miss it. Loud, but not a rejection.
            LOG.log(Level.WARNING, "revision {0} applied but not persisted: {1}", applied.revision(), ex.getMessage());
        }
    }

    /** Puts the device back to {@code before} (same keys: the peers keep their sessions). */
    private void restore(DeviceConfig before, boolean portChanged) {
        List<PeerChange> peers = new ArrayList<>();
        for (DeviceConfig.PeerConfig p : before.peers()) {
            peers.add(new PeerChange(
                    p.publicKey(),
                    false,
                    false,
                    p.presharedKey() == null ? ZERO_KEY.clone() : p.presharedKey(),
                    p.endpoint(),
                    p.persistentKeepaliveSeconds(),
                    true,
                    p.allowedIps()));
        }
        try {
            device.apply(new ConfigChange(null, portChanged ? before.listenPort() : null, null, true, peers));
        } catch (ConfigException ex) {
            LOG.log(Level.ERROR, "could not restore the previous peers after a host failure: {0}", ex.getMessage());
        }
    }

    /**
     * What the host needs: the interface settings plus a route through the tunnel for every peer's allowed IPs, as
     * wg-quick does ({@code ip route add <allowed-ip> dev <if>}) — the controller may give the interface a /32 and
     * rely on the agent to route the peers. Skipped: default routes (/0: taking over the host's default route needs
     * policy routing, not done here) and the agent's own LAN prefixes. Only the host sees these extra routes; the
     * drift hash is over the configuration as the controller sent it.
     */
    static InterfaceConfig hostView(NetworkConfig config) {
        InterfaceConfig iface = config.getInterfaceConfig();
        java.util.Set<String> own = new java.util.HashSet<>();
        for (String p : iface.getLocalLanPrefixesList()) {
            own.add(dev.wgmesh.dataplane.config.IpPrefix.parse(p).toString());
        }
        java.util.Set<String> routes = new java.util.LinkedHashSet<>(iface.getRoutesList());
        for (PeerConfig p : config.getPeersList()) {
            for (String allowed : p.getAllowedIpsList()) {
                dev.wgmesh.dataplane.config.IpPrefix prefix = dev.wgmesh.dataplane.config.IpPrefix.parse(allowed);
                if (prefix.bits() > 0 && !own.contains(prefix.toString())) {
                    routes.add(prefix.toString());
                }
            }
        }
        return iface.toBuilder().clearRoutes().addAllRoutes(routes).build();
    }

    static NetworkConfig merge(NetworkConfig base, Delta delta) {
        Map<ByteString, PeerConfig> peers = new LinkedHashMap<>();
        base.getPeersList().forEach(p -> peers.put(p.getPublicKey(), p));
        delta.getRemovedPeerKeysList().forEach(peers::remove);
        delta.getUpsertedPeersList().forEach(p -> peers.put(p.getPublicKey(), p));
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(delta.hasInterfaceConfig() ? delta.getInterfaceConfig() : base.getInterfaceConfig())
                .addAllPeers(peers.values())
                .build();
    }

    private static Map<ByteString, String> endpoints(NetworkConfig config) {
        Map<ByteString, String> out = new HashMap<>();
        config.getPeersList().forEach(p -> out.put(p.getPublicKey(), p.getEndpoint()));
        return out;
    }
}
