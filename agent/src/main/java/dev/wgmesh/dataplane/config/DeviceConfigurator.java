package dev.wgmesh.dataplane.config;

/**
 * The configuration surface of a WireGuard device. The UAPI server, the standalone daemon and the agent's config
 * applier all go through it, so every path has the same validation and atomicity.
 */
public interface DeviceConfigurator {

    /** The current configuration and counters; a consistent snapshot. */
    DeviceConfig snapshot();

    /**
     * Applies {@code change} atomically: validates all of it, then applies all of it. Peers that are not touched
     * keep their sessions; a peer whose keys do not change keeps its sessions too.
     *
     * @throws ConfigException with an errno-style code when the change is invalid or cannot be applied; the device
     *     is then unchanged
     */
    void apply(ConfigChange change) throws ConfigException;
}
