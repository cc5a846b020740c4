package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.time.SystemScheduler;
import java.io.IOException;
import java.util.logging.Logger;

/** The data plane the daemon runs: the userspace WireGuard {@link Device} with its own timer thread. */
final class DataPlanes {
    private static final Logger LOG = Logger.getLogger(DataPlanes.class.getName());

    private DataPlanes() {}

    /**
     * Starts a {@link Device} over the given TUN and UDP transport (it binds a random port until configured), in the
     * data path mode of {@code WGMESH_DATAPATH}, with the metrics endpoint of {@code WGMESH_METRICS_LISTEN} if set
     * (both validated by {@link DaemonOptions#parse}).
     */
    static DataPlane.Factory defaultFactory() {
        return defaultFactory(System.getenv());
    }

    static DataPlane.Factory defaultFactory(java.util.Map<String, String> env) {
        return (tun, udp) -> {
            SystemScheduler scheduler = new SystemScheduler("wg-" + tun.name() + "-timers");
            DataPathMode mode = DataPathMode.parse(
                    DataPathMode.configured(env), Runtime.getRuntime().availableProcessors());
            Device device = new Device(tun, udp, scheduler, mode);
            MetricsServer metrics = null;
            try {
                device.start();
                String listen = env.get(MetricsServer.ENV);
                if (listen != null && !listen.isEmpty()) {
                    metrics = MetricsServer.start(MetricsServer.parseAddress(listen), device, tun.name());
                    // with port 0 this is the only place the chosen port shows
                    LOG.info("metrics on http://" + MetricsServer.format(metrics.address()) + "/metrics");
                }
            } catch (IOException | RuntimeException e) {
                device.close();
                scheduler.close();
                throw e;
            }
            MetricsServer metricsServer = metrics;
            return new DataPlane() {
                @Override
                public DeviceConfigurator configurator() {
                    return device;
                }

                /** Stops the device (which closes the TUN and UDP transport too), then its timer thread. */
                @Override
                public void close() {
                    if (metricsServer != null) {
                        metricsServer.close();
                    }
                    device.close();
                    scheduler.close();
                }
            };
        };
    }
}
