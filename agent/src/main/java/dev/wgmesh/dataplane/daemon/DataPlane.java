package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.dataplane.io.TunDevice;
import dev.wgmesh.dataplane.io.UdpTransport;
import java.io.IOException;

/** A running WireGuard device as the daemon sees it: something to configure and, eventually, to stop. */
public interface DataPlane extends AutoCloseable {

    DeviceConfigurator configurator();

    /** Stops the device's threads; the TUN and UDP transport are closed by the daemon afterwards. */
    @Override
    void close();

    /** Starts a device over a TUN and a UDP transport. */
    @FunctionalInterface
    interface Factory {
        DataPlane start(TunDevice tun, UdpTransport udp) throws IOException;
    }
}
