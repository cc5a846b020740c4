package dev.wgmesh.dataplane.netlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway network topologies for real-kernel tests: namespaces with unique names ({@code wgm-<tag>-<random>}),
 * veth pairs, background processes (wireguard-go, our daemon, iperf3) and UAPI sockets.
 *
 * <p>Everything created is recorded and removed by {@link #close()} — processes first, then sockets, then
 * namespaces (which takes their interfaces with them) — and by a JVM shutdown hook if a test dies before that.
 * Every command has a timeout.
 *
 * <p>The UAPI socket directory /var/run/wireguard is shared by all namespaces, so interface names handed out by
 * {@link #ifname} are unique too.
 */
public final class NetLab implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<NetLab> OPEN =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            List<NetLab> labs;
                            synchronized (OPEN) {
                                labs = new ArrayList<>(OPEN);
                            }
                            Cmd.killAll();
                            labs.forEach(NetLab::close);
                        },
                        "netlab-cleanup"));
    }

    private final String id = HexFormat.of().formatHex(randomBytes(3));
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private int counter;

    private NetLab() {}

    /** Starts a lab; fails with a clear message when not running as root (CI runs as root). */
    public static NetLab create() {
        requireRoot();
        NetLab lab = new NetLab();
        OPEN.add(lab);
        return lab;
    }

    public static void requireRoot() {
        String uid = Cmd.run(List.of("id", "-u")).out().trim();
        if (!"0".equals(uid)) {
            throw new IllegalStateException(
                    "this test needs root (network namespaces, TUN devices); run it as root, as CI does (uid is " + uid
                            + ")");
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A unique short tag for this lab (6 hex digits). */
    public String id() {
        return id;
    }

    /** A unique interface name (at most 15 characters): {@code prefix + labId + counter}. */
    public synchronized String ifname(String prefix) {
        String n = prefix + id + (counter++);
        if (n.length() > 15) {
            throw new IllegalArgumentException("interface name too long: " + n);
        }
        return n;
    }

    public synchronized Netns namespace(String tag) {
        Netns ns = new Netns("wgm-" + tag + "-" + id + "-" + (counter++));
        Cmd.run(List.of("ip", "netns", "add", ns.name())).orThrow();
        namespaces.add(ns);
        ns.ok("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair {@code ifA} in {@code a} ↔ {@code ifB} in {@code b}, both up. */
    public void veth(Netns a, String ifA, Netns b, String ifB) {
        Cmd.run(List.of(
                        "ip", "link", "add", ifA, "netns", a.name(), "type", "veth", "peer", "name", ifB, "netns",
                        b.name()))
                .orThrow();
        a.ok("ip", "link", "set", ifA, "up");
        b.ok("ip", "link", "set", ifB, "up");
    }

    /** Starts {@code command} in {@code ns} in the background; output goes to {@code log}. Stopped by close(). */
    public synchronized Process start(Netns ns, List<String> command, Path log, java.util.Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(ns.wrap(command)).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Process p = pb.start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
    }

    /** Records a file (a UAPI socket) to delete on close. */
    public synchronized void removeOnClose(Path file) {
        files.add(file);
    }

    /** Starts {@code wireguard-go -f IFNAME} inside {@code ns} and waits for its UAPI socket. */
    public Process startWireguardGo(Netns ns, String ifname, Path log) {
        Path sock = uapiSocket(ifname);
        removeOnClose(sock);
        Process p = start(ns, List.of("wireguard-go", "-f", ifname), log, java.util.Map.of("LOG_LEVEL", "error"));
        awaitFile(sock, Duration.ofSeconds(10), p);
        return p;
    }

    public static Path uapiSocket(String ifname) {
        return Path.of("/var/run/wireguard", ifname + ".sock");
    }

    /** Waits for {@code file} to exist; fails early if {@code process} exits first. */
    public static void awaitFile(Path file, Duration timeout, Process process) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException(
                        "process exited (" + process.exitValue() + ") before " + file + " appeared");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + file);
            }
            sleep(50);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops processes, deletes recorded files and namespaces. Safe to call more than once. */
    @Override
    public synchronized void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        // One deadline for all of them, so a shutdown hook stays short however many processes there are.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Process p : processes) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        processes.clear();
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // best effort
            }
        }
        files.clear();
        for (Netns ns : namespaces) {
            // Kill anything still running inside (e.g. a daemonized child), then delete the namespace.
            Cmd.run(Duration.ofSeconds(10), List.of("ip", "netns", "pids", ns.name()), null)
                    .out()
                    .lines()
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .forEach(pid -> Cmd.run(Duration.ofSeconds(5), List.of("kill", "-9", pid), null));
            Cmd.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", ns.name()), null);
        }
        namespaces.clear();
        OPEN.remove(this);
    }
}
