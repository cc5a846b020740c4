package dev.wgmesh.controller.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * concurrent clients, then times list and search pages. JDK only (runs in source-file mode: {@code java
 * PeerLoadBench.java URL [peers] [clients]}), so the script needs no classpath. Bounded: a fixed number of requests,
 * each with a timeout, and a 10-minute overall limit on the creation phase.
 */
public final class PeerLoadBench {
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    private static final Pattern V4 = Pattern.compile("\"tunnelIpv4\":\"([0-9.]+)\"");
    private static final Pattern TOTAL = Pattern.compile("\"totalItems\":(\\d+)");

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final String base;
    private final long controllerPid;

    private PeerLoadBench(String base, long controllerPid) {
        this.base = base;
        this.controllerPid = controllerPid;
    }

    /** CPU time (user + system) the controller process has used, in ms; -1 when unknown. Linux /proc, 100 Hz ticks. */
    private long controllerCpuMillis() {
        if (controllerPid < 0) {
            return -1;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + controllerPid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // fields 14, 15 of proc(5)
        } catch (java.io.IOException | RuntimeException ex) {
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int peers = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        long controllerPid = args.length > 3 ? Long.parseLong(args[3]) : -1;
        new PeerLoadBench(base, controllerPid).run(peers, clients);
    }

    private void run(int peers, int clients) throws Exception {
        HttpResponse<String> net = send(
                "POST",
                "/api/v1/networks",
                "{\"name\":\"bench\",\"ipv4Prefix\":\"10.128.0.0/16\",\"ipv6Prefix\":\"fd00:be::/64\"}");
        check(net, 201);
        String networkId = match(ID, net.body());
        String peersPath = "/api/v1/networks/" + networkId + "/peers";

        System.out.printf(
                "creating %,d DEVICE peers (IPv4 + IPv6, generated keys) with %d concurrent clients%n", peers, clients);
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> addresses = new ConcurrentLinkedQueue<>();
        long[] latencies = new long[peers];
        long cpuBefore = controllerCpuMillis();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MINUTES.toNanos(10);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                tasks.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < peers; i = next.getAndIncrement()) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("creation phase exceeded 10 minutes");
                        }
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = send(
                                "POST",
                                peersPath,
                                "{\"name\":\"dev-" + i + "\",\"kind\":\"DEVICE\",\"tags\":[\"group-" + (i % 20)
                                        + "\"]}");
                        latencies[i] = System.nanoTime() - t0;
                        check(r, 201);
                        addresses.add(match(V4, r.body()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = controllerCpuMillis() - cpuBefore;
        Set<String> distinct = new HashSet<>(addresses);
        System.out.printf("created:            %,d peers in %.1f s%n", addresses.size(), seconds);
        System.out.printf("throughput:         %.0f peers/s   (goal >= 500 peers/s)%n", addresses.size() / seconds);
        System.out.printf("create latency:     %s%n", summary(latencies));
        if (cpuBefore >= 0) {
            double perPeer = (double) cpu / addresses.size();
            System.out.printf(
                    "controller CPU:     %.2f ms per peer (%.0f peers/s per fully available core, PostgreSQL not"
                            + " included); machine load average %.1f on %d cores%n",
                    perPeer,
                    1000 / perPeer,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        }
        System.out.printf("duplicate IPv4:     %d   (goal 0)%n", addresses.size() - distinct.size());
        if (addresses.size() != peers || distinct.size() != peers) {
            throw new IllegalStateException("expected " + peers + " distinct addresses, got " + distinct.size());
        }

        System.out.printf("list/search at %,d peers, one client, 100 warm-up + 500 timed requests each:%n", peers);
        int pages = peers / 50;
        measure("list page (50, by name)", i -> peersPath + "?size=50&sort=name,asc&page=" + (i % pages), peers);
        measure("search name contains", i -> peersPath + "?size=50&name=dev-" + (i % 1000), -1);
        measure("filter tag", i -> peersPath + "?size=50&tag=group-" + (i % 20) + "&page=" + (i % 10), peers / 20);
        measure("filter kind+enabled", i -> peersPath + "?size=50&kind=DEVICE&enabled=true&page=" + (i % pages), peers);
        System.out.println("NETWORK_ID=" + networkId);
    }

    private interface PathFor {
        String path(int i);
    }

    private void measure(String label, PathFor paths, int expectedTotal) throws Exception {
        for (int i = 0; i < 100; i++) {
            check(send("GET", paths.path(ThreadLocalRandom.current().nextInt(10_000)), null), 200);
        }
        long[] t = new long[500];
        for (int i = 0; i < t.length; i++) {
            String path = paths.path(ThreadLocalRandom.current().nextInt(10_000));
            long t0 = System.nanoTime();
            HttpResponse<String> r = send("GET", path, null);
            t[i] = System.nanoTime() - t0;
            check(r, 200);
            if (expectedTotal >= 0 && Integer.parseInt(match(TOTAL, r.body())) != expectedTotal) {
                throw new IllegalStateException(label + ": totalItems " + match(TOTAL, r.body()));
            }
        }
        System.out.printf("  %-24s %s   (goal p99 <= 50 ms)%n", label, summary(t));
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format(
                "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                s[s.length / 2] / 1e6, s[(int) Math.ceil(s.length * 0.99) - 1] / 1e6, s[s.length - 1] / 1e6);
    }

    private HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void check(HttpResponse<String> r, int expected) {
        if (r.statusCode() != expected) {
            throw new IllegalStateException(
                    r.request().method() + " " + r.request().uri() + " -> " + r.statusCode() + " " + r.body());
        }
    }

    private static String match(Pattern p, String body) {
        Matcher m = p.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + body);
        }
        return m.group(1);
    }
}
