package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.linux.LibcAccess;
import dev.wgmesh.dataplane.linux.LinuxTun;
import dev.wgmesh.dataplane.linux.LinuxUdp;
import dev.wgmesh.dataplane.uapi.UapiServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running interface: TUN + UDP + data plane + UAPI socket, started in that order and stopped in reverse.
 *
 * <p>{@link #watch()} returns when the daemon should exit, for the reasons the xplatform page lists: the TUN
 * interface was removed, the UAPI socket file was deleted, or {@link #close()} was called (SIGTERM/SIGINT run it
 * from a shutdown hook). {@link #close()} is idempotent and safe from any thread.
 */
final class DaemonInstance implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DaemonInstance.class.getName());
    static final long WATCH_INTERVAL_MILLIS = 250;

    private final LinuxTun tun;
    private final LinuxUdp udp;
    private final DataPlane dataPlane;
    private final UapiServer uapi;
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    private DaemonInstance(LinuxTun tun, LinuxUdp udp, DataPlane dataPlane, UapiServer uapi) {
        this.tun = tun;
        this.udp = udp;
        this.dataPlane = dataPlane;
        this.uapi = uapi;
    }

    static DaemonInstance start(String ifname, DataPlane.Factory factory, Path uapiDirectory) throws IOException {
        LinuxTun tun = LinuxTun.open(ifname);
        LinuxUdp udp = new LinuxUdp();
        DataPlane dp = null;
        try {
            dp = factory.start(tun, udp);
            UapiServer uapi = UapiServer.start(uapiDirectory, tun.name(), dp.configurator());
            LOG.fine("UAPI listener started");
            return new DaemonInstance(tun, udp, dp, uapi);
        } catch (IOException | RuntimeException e) {
            if (dp != null) {
                dp.close();
            }
            udp.close();
            tun.close();
            throw e;
        }
    }

    String interfaceName() {
        return tun.name();
    }

    UapiServer uapi() {
        return uapi;
    }

    /** Blocks until the daemon should stop; returns the reason. */
    String watch() throws InterruptedException {
        while (true) {
            synchronized (lock) {
                if (closed) {
                    return "shutdown requested";
                }
            }
            if (tun.isGone() || LibcAccess.ifindex(tun.name()) != tun.ifindex()) {
                return "interface " + tun.name() + " was removed";
            }
            if (!uapi.socketFileIntact()) {
                return "UAPI socket " + uapi.socketPath() + " was removed";
            }
            Thread.sleep(WATCH_INTERVAL_MILLIS);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LOG.fine("Device closing");
        uapi.close();
        try {
            dataPlane.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "data plane did not stop cleanly", e);
        }
        udp.close();
        tun.close();
        LOG.fine("Device closed");
    }
}
