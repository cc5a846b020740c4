package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.linux.LibcAccess;
import dev.wgmesh.dataplane.linux.LinuxTun;
import dev.wgmesh.dataplane.uapi.UapiServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
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

    private final DaemonIo io;
    private final LinuxTun tun;
    private final DataPlane dataPlane;
    private final UapiServer uapi;
    private final Object lock = new Object();
    private boolean closed; // guarded by lock

    private DaemonInstance(DaemonIo io, DataPlane dataPlane, UapiServer uapi) {
        this.io = io;
        this.tun = io.primary();
        this.dataPlane = dataPlane;
        this.uapi = uapi;
    }

    static DaemonInstance start(String ifname, DataPlane.Factory factory, Path uapiDirectory) throws IOException {
        return start(ifname, factory, uapiDirectory, Map.of());
    }

    /** As above, with the TUN and UDP transport shaped by {@code env} ({@link DaemonIo}). */
    static DaemonInstance start(String ifname, DataPlane.Factory factory, Path uapiDirectory, Map<String, String> env)
            throws IOException {
        DaemonIo io = DaemonIo.open(ifname, env);
        DataPlane dp = null;
        try {
            dp = factory.start(io.tun(), io.udp());
            UapiServer uapi = UapiServer.start(uapiDirectory, io.tun().name(), dp.configurator());
            LOG.fine("UAPI listener started");
            return new DaemonInstance(io, dp, uapi);
        } catch (IOException | RuntimeException e) {
            if (dp != null) {
                dp.close();
            }
            io.close();
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
        try {
            io.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing TUN/UDP", e);
        }
        LOG.fine("Device closed");
    }
}
