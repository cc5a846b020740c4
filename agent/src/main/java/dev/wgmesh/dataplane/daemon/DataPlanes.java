package dev.wgmesh.dataplane.daemon;

/** The data plane the daemon runs. */
final class DataPlanes {
    private DataPlanes() {}

    /** TEMPORARY until the device from branch wg-core is merged: there is no forwarding data plane yet. */
    static DataPlane.Factory defaultFactory() {
        return (tun, udp) -> {
            throw new UnsupportedOperationException("the WireGuard device is not merged into this build yet");
        };
    }
}
