package dev.wgmesh.dataplane.daemon;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * Backgrounding without fork(2): the JVM cannot fork, so the launcher re-executes itself under {@code setsid} (new
 * session, no controlling terminal) with {@code WG_PROCESS_FOREGROUND=1}, and waits for the child to say it is up:
 *
 * <pre>
 *   parent                               child (setsid java ... WgDaemon -f IFNAME)
 *     start child, stdout = pipe  ──▶      create TUN, UDP, device, UAPI socket
 *     read one line               ◀──      "READY" | "ERROR message"   then stdio → /dev/null
 *     exit 0 | print message, exit 1
 * </pre>
 *
 * So, as with wireguard-go, when {@code wgmesh-wg wg0} returns 0 the interface and its UAPI socket exist and
 * wg-quick can configure it at once. The child keeps the parent's stderr only when LOG_LEVEL asks for output.
 */
final class Daemonizer {
    static final String READY_ENV = "WGMESH_WG_READY_PIPE";
    static final String READY = "READY";
    static final String ERROR = "ERROR ";
    static final long READY_TIMEOUT_SECONDS = 60;

    private Daemonizer() {}

    static int launch(DaemonOptions options) {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WgDaemon.class.getName());
        cmd.add("-f");
        cmd.add(options.interfaceName());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("WG_PROCESS_FOREGROUND", "1");
        pb.environment().put(READY_ENV, "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        boolean keepStderr = options.logLevelSet() && options.logLevel() != Level.OFF;
        pb.redirectError(keepStderr ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("wgmesh-wg: cannot start the daemon process: " + e.getMessage());
            return 1;
        }
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line = readLineWithin(in, READY_TIMEOUT_SECONDS);
            if (READY.equals(line)) {
                return 0;
            }
            if (line != null && line.startsWith(ERROR)) {
                System.err.println("wgmesh-wg: " + line.substring(ERROR.length()));
            } else if (line == null) {
                System.err.println("wgmesh-wg: the daemon process exited before the interface came up");
            } else {
                System.err.println("wgmesh-wg: unexpected message from the daemon process");
            }
            if (child.waitFor(5, TimeUnit.SECONDS)) {
                return child.exitValue() == 0 ? 1 : child.exitValue();
            }
            child.destroy();
            return 1;
        } catch (IOException e) {
            System.err.println("wgmesh-wg: lost contact with the daemon process: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static String readLineWithin(BufferedReader in, long seconds) throws IOException, InterruptedException {
        var result = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(in.readLine());
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            reader.interrupt();
            return "ERROR the daemon did not come up within " + seconds + " s";
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }
}
