package dev.wgmesh.controller.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real-kernel plumbing for the agents end-to-end test: a bridge on the host with one network namespace per agent
 * behind a veth, and processes started inside the namespaces. Names are unique per lab ({@code wgmbr<id>},
 * {@code wgm-e2e-<id>-<n>}), the bridge subnet is random within 10.250.0.0/16, and {@link #close()} removes
 * everything it created — processes, namespaces (with their interfaces), the bridge — also when a test fails, and
 * from a shutdown hook when the JVM dies first. Every command has a timeout.
 */
final class HostLab implements AutoCloseable {
    /** A command's outcome. */
    record Result(int exit, String out) {
        boolean ok() {
            return exit == 0;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    final String id;
    final String bridge;
    /** The bridge's /24, e.g. "10.250.37": the host is .1, namespace n is .(10+n). */
    final String subnet;

    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "e2e-lab-cleanup");
    private boolean bridgeCreated;

    private HostLab() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        id = HexFormat.of().formatHex(b);
        bridge = "wgmbr" + id;
        subnet = "10.250." + (20 + RANDOM.nextInt(200));
    }

    /** Fails with a clear message when not root (CI runs as root), like the data plane's namespace tests. */
    static HostLab create() {
        String uid = run(Duration.ofSeconds(5), "id", "-u").out().trim();
        if (!"0".equals(uid)) {
            throw new IllegalStateException("the agents end-to-end test needs root (network namespaces, TUN devices, a "
                    + "bridge); run it as root, as CI does (uid is " + uid + ")");
        }
        HostLab lab = new HostLab();
        Runtime.getRuntime().addShutdownHook(lab.hook);
        lab.must("ip", "link", "add", lab.bridge, "type", "bridge");
        lab.bridgeCreated = true;
        lab.must("ip", "addr", "add", lab.hostAddress() + "/24", "dev", lab.bridge);
        lab.must("ip", "link", "set", lab.bridge, "up");
        return lab;
    }

    String hostAddress() {
        return subnet + ".1";
    }

    String address(int n) {
        return subnet + "." + (10 + n);
    }

    String namespace(int n) {
        return "wgm-e2e-" + id + "-" + n;
    }

    /** Namespace {@code n} with eth0 on the bridge at {@link #address(int)}. */
    synchronized void addNamespace(int n) {
        String ns = namespace(n);
        must("ip", "netns", "add", ns);
        namespaces.add(ns);
        String veth = "v" + id + n;
        must("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        must("ip", "link", "set", veth, "master", bridge, "up");
        must("ip", "-n", ns, "addr", "add", address(n) + "/24", "dev", "eth0");
        must("ip", "-n", ns, "link", "set", "eth0", "up");
        must("ip", "-n", ns, "link", "set", "lo", "up");
    }

    String lanHost(int n) {
        return "wgm-e2e-" + id + "-h" + n;
    }

    /**
     * A "LAN host" namespace behind agent namespace {@code n}: {@code lan0} in the agent's namespace at
     * {@code lan24.1/24}, {@code eth0} in the host's at {@code lan24.2/24}, the host's default route via the agent.
     */
    synchronized void addLanHost(int n, String lan24) {
        String host = lanHost(n);
        must("ip", "netns", "add", host);
        namespaces.add(host);
        must("ip", "link", "add", "lan0", "netns", namespace(n), "type", "veth", "peer", "name", "eth0", "netns", host);
        must("ip", "-n", namespace(n), "addr", "add", lan24 + ".1/24", "dev", "lan0");
        must("ip", "-n", namespace(n), "link", "set", "lan0", "up");
        must("ip", "-n", host, "addr", "add", lan24 + ".2/24", "dev", "eth0");
        must("ip", "-n", host, "link", "set", "eth0", "up");
        must("ip", "-n", host, "link", "set", "lo", "up");
        must("ip", "-n", host, "route", "add", "default", "via", lan24 + ".1");
    }

    /** Runs {@code command} inside the LAN host of site {@code n} and waits (bounded). */
    Result inLanHost(int n, Duration timeout, String... command) {
        return inNamespace(lanHost(n), timeout, command);
    }

    /** Starts {@code command} inside the LAN host of site {@code n}; output to {@code log}. Stopped by close. */
    synchronized Process startInLanHost(int n, Path log, List<String> command) {
        return startIn(lanHost(n), log, command);
    }

    /** Runs {@code command} inside namespace {@code n} and waits (bounded). */
    Result in(int n, Duration timeout, String... command) {
        return inNamespace(namespace(n), timeout, command);
    }

    private static Result inNamespace(String ns, Duration timeout, String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(command));
        return run(timeout, c.toArray(String[]::new));
    }

    /** Starts {@code command} inside namespace {@code n}; stdout and stderr go to {@code log}. Stopped by close. */
    synchronized Process start(int n, Path log, List<String> command) {
        return startIn(namespace(n), log, command);
    }

    private synchronized Process startIn(String ns, Path log, List<String> command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(command);
        try {
            Process p = new ProcessBuilder(c)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            processes.add(p);
            return p;
        } catch (IOException ex) {
            throw new IllegalStateException("cannot start " + c, ex);
        }
    }

    /** SIGTERM, then SIGKILL after 10 s; waits for the exit. */
    static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void must(String... command) {
        Result r = run(Duration.ofSeconds(10), command);
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.out());
        }
    }

    static Result run(Duration timeout, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // Output is small (ping, ip); read it after the exit, bounded by the timeout.
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + timeout);
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ex) {
            return new Result(-1, ex.toString());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    @Override
    public synchronized void close() {
        for (Process p : processes) {
            if (p.isAlive()) {
                stop(p);
            }
        }
        processes.clear();
        for (String ns : namespaces) {
            for (String pid :
                    run(Duration.ofSeconds(5), "ip", "netns", "pids", ns).out().split("\\s+")) {
                if (!pid.isBlank()) {
                    run(Duration.ofSeconds(5), "kill", "-9", pid.trim());
                }
            }
            run(Duration.ofSeconds(10), "ip", "netns", "del", ns);
        }
        namespaces.clear();
        if (bridgeCreated) {
            run(Duration.ofSeconds(10), "ip", "link", "del", bridge);
            bridgeCreated = false;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }
}
