package dev.wgmesh.controller.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load client for {@code bench/controller-peers.sh}: creates DEVICE peers in one network over REST from several
 * concurrent clients (after a warm-up in another network), then times list and search pages. JDK only: {@code java
 * -cp ... PeerLoadBench URL [peers] [clients] [controller pid] [warm-up peers]}. Bounded: a fixed number of
 * requests, each with a timeout, and a 10-minute limit on each creation phase.
 *
 * <p>Each client thread keeps one persistent connection ({@link KeepAliveHttp}), as a real load generator does: the
 * client runs on the machine it measures, so its own CPU per request is part of the result.
 */
public final class PeerLoadBench {
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    private static final String V4 = "\"tunnelIpv4\":\"";
    private static final Pattern TOTAL = Pattern.compile("\"totalItems\":(\\d+)");

    private final String base;
    /** A WRITE API token: the REST API requires authentication. */
    private final String token = System.getenv("WGMESH_TOKEN");

    private final long controllerPid;

    private PeerLoadBench(String base, long controllerPid) {
        this.base = base;
        this.controllerPid = controllerPid;
    }

    /** CPU time (user + system) of the controller process, in ms; -1 when unknown. */
    private long controllerCpuMillis() {
        return controllerPid < 0 ? -1 : cpuMillis(controllerPid);
    }

    /**
     * CPU time of the controller's PostgreSQL backends (pids in {@code BENCH_PG_PIDS}, comma-separated, from the
     * script), in ms; -1 when unknown. A backend that ended in between counts as 0 from then on.
     */
    private static long postgresCpuMillis() {
        String pids = System.getenv("BENCH_PG_PIDS");
        if (pids == null || pids.isBlank()) {
            return -1;
        }
        long sum = 0;
        for (String pid : pids.split(",")) {
            sum += Math.max(0, cpuMillis(Long.parseLong(pid.strip())));
        }
        return sum;
    }

    /**
     * CPU time of the controller's JIT compiler threads and of its garbage collector's threads, in ms ({@code [jit,
     * gc]}; -1 each when unknown). Linux /proc per thread: a compiler thread that exited in between is not counted.
     */
    private long[] controllerJitGcMillis() {
        long[] r = {-1, -1};
        if (controllerPid < 0) {
            return r;
        }
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/" + controllerPid + "/task"))) {
            r[0] = 0;
            r[1] = 0;
            for (var task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                String stat = java.nio.file.Files.readString(task.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                long ms = statCpuMillis(stat);
                if (name.contains("CompilerThre")) {
                    r[0] += ms;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    r[1] += ms;
                }
            }
        } catch (java.io.IOException | RuntimeException ex) {
            return new long[] {-1, -1};
        }
        return r;
    }

    /** CPU time (user + system) of a process, in ms; -1 when unknown. Linux /proc, 100 Hz ticks. */
    private static long cpuMillis(long pid) {
        try {
            return statCpuMillis(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat")));
        } catch (java.io.IOException | RuntimeException ex) {
            return -1;
        }
    }

    /** utime + stime (fields 14, 15 of proc(5)) of a process or thread {@code stat} line, in ms (100 Hz ticks). */
    private static long statCpuMillis(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int peers = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        long controllerPid = args.length > 3 ? Long.parseLong(args[3]) : -1;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        new PeerLoadBench(base, controllerPid).run(peers, clients, warmup);
    }

    private void run(int peers, int clients, int warmup) throws Exception {
        if (warmup > 0) {
            // A controller runs for months: the goal is its sustained rate, not the first minute's, when the JIT is
            // still compiling the web, security and persistence stacks (a third of the CPU in a cold profile).
            String warm = createNetwork("bench-warmup", "10.129.0.0/16", "fd00:bf::/64");
            System.out.printf("warm-up: %,d DEVICE peers in another network (cold JVM)%n", warmup);
            Created w = createPeers("/api/v1/networks/" + warm + "/peers", warmup, clients);
            System.out.printf(
                    "  cold throughput:  %.0f peers/s, create %s, controller CPU %.2f ms per peer%n",
                    w.perSecond(), w.latency(), w.controllerCpuPerPeer());
        }
        String networkId = createNetwork("bench", "10.128.0.0/16", "fd00:be::/64");
        String peersPath = "/api/v1/networks/" + networkId + "/peers";

        System.out.printf(
                "creating %,d DEVICE peers (IPv4 + IPv6, generated keys) with %d concurrent clients%n", peers, clients);
        Created c = createPeers(peersPath, peers, clients);
        System.out.printf("created:            %,d peers in %.1f s%n", c.count(), c.seconds());
        System.out.printf("throughput:         %.0f peers/s   (goal >= 500 peers/s)%n", c.perSecond());
        System.out.printf("create latency:     %s%n", c.latency());
        if (c.controllerCpu() >= 0) {
            System.out.printf(
                    "controller CPU:     %.2f ms per peer (%.0f peers/s per fully available core)%n",
                    c.controllerCpuPerPeer(), 1000 / c.controllerCpuPerPeer());
        }
        if (c.jitCpu() >= 0) {
            System.out.printf(
                    "  of which:         JIT compiler %.2f ms, garbage collector %.2f ms per peer%n",
                    (double) c.jitCpu() / c.count(), (double) c.gcCpu() / c.count());
        }
        if (c.postgresCpu() >= 0) {
            System.out.printf(
                    "PostgreSQL CPU:     %.2f ms per peer (the controller's backends)%n",
                    (double) c.postgresCpu() / c.count());
        }
        if (c.clientCpu() >= 0) {
            System.out.printf(
                    "client CPU:         %.2f ms per peer (this load client)%n", (double) c.clientCpu() / c.count());
        }
        if (c.controllerCpu() >= 0 && c.postgresCpu() >= 0 && c.clientCpu() >= 0) {
            double all = (double) (c.controllerCpu() + c.postgresCpu() + c.clientCpu()) / c.count();
            System.out.printf(
                    "all three:          %.2f ms per peer -> %.0f peers/s on 2 fully available cores"
                            + "   (goal >= 500 on 2); machine load average %.1f on %d cores%n",
                    all,
                    2 * 1000 / all,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
        Set<String> distinct = new HashSet<>(c.addresses());
        System.out.printf("duplicate IPv4:     %d   (goal 0)%n", c.addresses().size() - distinct.size());
        if (c.addresses().size() != peers || distinct.size() != peers) {
            throw new IllegalStateException("expected " + peers + " distinct addresses, got " + distinct.size());
        }

        measureLists(peersPath, peers, "as loaded, never analysed");
        String analyse = System.getenv("BENCH_ANALYZE_COMMAND");
        if (analyse != null && !analyse.isBlank()) {
            // Production PostgreSQL runs autovacuum, which analyses a table after 10 % of it changed: many times
            // during such a load. This server may not; the script then runs ANALYZE itself, as autovacuum would have.
            Process p = new ProcessBuilder("sh", "-c", analyse).inheritIO().start();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("'" + analyse + "' failed");
            }
            measureLists(peersPath, peers, "after ANALYZE peer, peer_tag (what autovacuum does)");
        }
        System.out.println("NETWORK_ID=" + networkId);
    }

    private String createNetwork(String name, String ipv4, String ipv6) throws Exception {
        try (KeepAliveHttp http = new KeepAliveHttp(base, token)) {
            String path = "/api/v1/networks";
            KeepAliveHttp.Response net = http.send(
                    "POST",
                    path,
                    "{\"name\":\"" + name + "\",\"ipv4Prefix\":\"" + ipv4 + "\",\"ipv6Prefix\":\"" + ipv6 + "\"}");
            check(net, 201, path);
            return match(ID, net.body());
        }
    }

    /** One creation phase: counts, wall time, latency summary and CPU (ms, -1 when unknown) of the three processes. */
    private record Created(
            List<String> addresses,
            double seconds,
            String latency,
            long controllerCpu,
            long jitCpu,
            long gcCpu,
            long postgresCpu,
            long clientCpu) {
        int count() {
            return addresses.size();
        }

        double perSecond() {
            return count() / seconds;
        }

        double controllerCpuPerPeer() {
            return (double) controllerCpu / count();
        }
    }

    private Created createPeers(String peersPath, int peers, int clients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> addresses = new ConcurrentLinkedQueue<>();
        long[] latencies = new long[peers];
        long cpuBefore = controllerCpuMillis();
        long[] jitGcBefore = controllerJitGcMillis();
        long pgBefore = postgresCpuMillis();
        long selfBefore = cpuMillis(ProcessHandle.current().pid());
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                tasks.add(pool.submit(() -> {
                    try (KeepAliveHttp http = new KeepAliveHttp(base, token)) {
                        for (int i = next.getAndIncrement(); i < peers; i = next.getAndIncrement()) {
                            if (System.nanoTime() > deadline) {
                                throw new IllegalStateException("creation phase exceeded 10 minutes");
                            }
                            long t0 = System.nanoTime();
                            KeepAliveHttp.Response r = http.send(
                                    "POST",
                                    peersPath,
                                    "{\"name\":\"dev-" + i + "\",\"kind\":\"DEVICE\",\"tags\":[\"group-" + (i % 20)
                                            + "\"]}");
                            latencies[i] = System.nanoTime() - t0;
                            check(r, 201, peersPath);
                            addresses.add(stringField(r.body(), V4));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = controllerCpuMillis();
        long[] jitGc = controllerJitGcMillis();
        long pg = postgresCpuMillis();
        long self = cpuMillis(ProcessHandle.current().pid());
        return new Created(
                List.copyOf(addresses),
                seconds,
                summary(latencies),
                cpuBefore < 0 || cpu < 0 ? -1 : cpu - cpuBefore,
                jitGcBefore[0] < 0 || jitGc[0] < 0 ? -1 : jitGc[0] - jitGcBefore[0],
                jitGcBefore[1] < 0 || jitGc[1] < 0 ? -1 : jitGc[1] - jitGcBefore[1],
                pgBefore < 0 || pg < 0 ? -1 : pg - pgBefore,
                selfBefore < 0 || self < 0 ? -1 : self - selfBefore);
    }

    private void measureLists(String peersPath, int peers, String statistics) throws Exception {
        System.out.printf(
                "list/search at %,d peers, one client, 100 warm-up + 500 timed requests each; tables %s:%n",
                peers, statistics);
        int pages = peers / 50;
        measure("list page (50, by name)", i -> peersPath + "?size=50&sort=name,asc&page=" + (i % pages), peers);
        measure("search name contains", i -> peersPath + "?size=50&name=dev-" + (i % 1000), -1);
        measure("filter tag", i -> peersPath + "?size=50&tag=group-" + (i % 20) + "&page=" + (i % 10), peers / 20);
        measure("filter kind+enabled", i -> peersPath + "?size=50&kind=DEVICE&enabled=true&page=" + (i % pages), peers);
    }

    private interface PathFor {
        String path(int i);
    }

    private void measure(String label, PathFor paths, int expectedTotal) throws Exception {
        try (KeepAliveHttp http = new KeepAliveHttp(base, token)) {
            for (int i = 0; i < 100; i++) {
                String path = paths.path(ThreadLocalRandom.current().nextInt(10_000));
                check(http.send("GET", path, null), 200, path);
            }
            long[] t = new long[500];
            for (int i = 0; i < t.length; i++) {
                String path = paths.path(ThreadLocalRandom.current().nextInt(10_000));
                long t0 = System.nanoTime();
                KeepAliveHttp.Response r = http.send("GET", path, null);
                t[i] = System.nanoTime() - t0;
                check(r, 200, path);
                if (expectedTotal >= 0 && Integer.parseInt(match(TOTAL, r.body())) != expectedTotal) {
                    throw new IllegalStateException(label + ": totalItems " + match(TOTAL, r.body()));
                }
            }
            System.out.printf("  %-24s %s   (goal p99 <= 50 ms)%n", label, summary(t));
        }
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                s[s.length / 2] / 1e6, s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6, s[s.length - 1] / 1e6);
    }

    private static void check(KeepAliveHttp.Response r, int expected, String path) {
        if (r.status() != expected) {
            throw new IllegalStateException(path + " -> " + r.status() + " " + r.body());
        }
    }

    /** The value of a string field that {@code prefix} ({@code "name":"}) opens, without a regex per response. */
    private static String stringField(String body, String prefix) {
        int start = body.indexOf(prefix);
        int end = start < 0 ? -1 : body.indexOf('"', start + prefix.length());
        if (end < 0) {
            throw new IllegalStateException("no " + prefix + " in " + body);
        }
        return body.substring(start + prefix.length(), end);
    }

    private static String match(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + body);
        }
        return m.group(1);
    }
}
