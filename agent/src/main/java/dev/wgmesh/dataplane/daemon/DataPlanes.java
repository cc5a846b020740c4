package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.time.SystemScheduler;
import java.io.IOException;

/** The data plane the daemon runs: the userspace WireGuard {@link Device} with its own timer thread. */
final class DataPlanes {
    private DataPlanes() {}

    /** Starts a {@link Device} over the given TUN and UDP transport (it binds a random port until configured). */
    static DataPlane.Factory defaultFactory() {
        return (tun, udp) -> {
            SystemScheduler scheduler = new SystemScheduler("wg-" + tun.name() + "-timers");
            Device device = new Device(tun, udp, scheduler);
            try {
                device.start();
            } catch (IOException | RuntimeException e) {
                device.close();
                scheduler.close();
                throw e;
            }
            return new DataPlane() {
                @Override
                public DeviceConfigurator configurator() {
                    return device;
                }

                /** Stops the device (which closes the TUN and UDP transport too), then its timer thread. */
                @Override
                public void close() {
                    device.close();
                    scheduler.close();
                }
            };
        };
    }
}
