package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.linux.LibcAccess;
import dev.wgmesh.dataplane.uapi.UapiServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The standalone userspace WireGuard daemon, a drop-in for wireguard-go: {@code wgmesh-wg [-f|--foreground]
 * INTERFACE-NAME} creates the TUN interface, serves the UAPI socket for wg(8), and runs until SIGTERM/SIGINT, the
 * interface's deletion or the socket file's deletion. Without {@code -f} it backgrounds itself ({@link Daemonizer}).
 *
 * <p>Exit codes (as wireguard-go): 0 after a clean shutdown, 1 when setup fails or the command line is wrong.
 */
public final class WgDaemon {
    private static final Logger LOG = Logger.getLogger(WgDaemon.class.getName());

    private static volatile boolean shuttingDownByHook;

    private WgDaemon() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv(), DataPlanes.defaultFactory(), UapiServer.DEFAULT_DIRECTORY);
        if (!shuttingDownByHook) {
            System.exit(code);
        }
    }

    static int run(String[] args, Map<String, String> env, DataPlane.Factory factory, Path uapiDirectory) {
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(Arrays.asList(args), env);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            if (!e.getMessage().startsWith("Usage")) {
                System.err.println(DaemonOptions.USAGE);
            }
            return 1;
        }
        if (!options.foreground()) {
            return Daemonizer.launch(options);
        }
        boolean reportToLauncher = "1".equals(env.get(Daemonizer.READY_ENV));
        DaemonLogging.configure(options.interfaceName(), options.logLevel());
        // Signals may arrive while we start (the UAPI socket is visible before start() returns): remember them.
        java.util.concurrent.atomic.AtomicReference<DaemonInstance> running =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stopRequested = new java.util.concurrent.atomic.AtomicBoolean();
        onTerminationSignals(() -> {
            stopRequested.set(true);
            DaemonInstance i = running.get();
            if (i != null) {
                i.close();
            }
        });
        DaemonInstance instance;
        try {
            instance = DaemonInstance.start(options.interfaceName(), factory, uapiDirectory, env);
        } catch (IOException | RuntimeException e) {
            String msg = "failed to bring up " + options.interfaceName() + ": " + e.getMessage();
            LOG.log(Level.SEVERE, msg, e);
            if (reportToLauncher) {
                System.out.println(Daemonizer.ERROR + msg);
                System.out.flush();
            } else if (options.logLevel() == Level.OFF) {
                System.err.println(msg);
            }
            return 1;
        }
        Thread hook = new Thread(
                () -> {
                    shuttingDownByHook = true;
                    LOG.fine("Shutting down (signal)");
                    instance.close();
                },
                "wgmesh-wg-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running.set(instance);
        if (stopRequested.get()) {
            instance.close();
        }
        LOG.fine("Device started");
        if (reportToLauncher) {
            System.out.println(Daemonizer.READY);
            System.out.flush();
            try {
                LibcAccess.detachStdio(options.logLevelSet() && options.logLevel() != Level.OFF);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not detach from the launcher's pipe", e);
            }
        }
        try {
            String reason = instance.watch();
            LOG.fine("Shutting down: " + reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        instance.close();
        if (!shuttingDownByHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running; it closes the instance too (idempotent)
            }
        }
        return 0;
    }

    /**
     * SIGTERM and SIGINT stop the watch loop, so the daemon shuts down in order and exits 0 as wireguard-go does
     * (without this the JVM would run only the shutdown hook and exit 143/130). The hook stays as the fallback.
     */
    @SuppressWarnings("removal")
    private static void onTerminationSignals(Runnable stop) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    LOG.fine("Received SIG" + name);
                    stop.run();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.log(Level.FINE, "cannot handle SIG" + name + "; relying on the shutdown hook", e);
            }
        }
    }
}
