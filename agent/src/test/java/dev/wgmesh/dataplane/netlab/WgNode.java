package dev.wgmesh.dataplane.netlab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One WireGuard interface in its own namespace, run by {@link WgImpl}, configured through wg(8) like an
 * administrator would: {@code wg set}, {@code ip addr}, {@code ip link}.
 */
public final class WgNode {
    public final NetLab lab;
    public final Netns ns;
    public final String ifname;
    public final WgImpl impl;
    public final String privateKey;
    public final String publicKey;
    public final Path keyFile;
    public final Path log;
    private Process process;

    public WgNode(NetLab lab, Netns ns, String ifname, WgImpl impl, Path dir) throws java.io.IOException {
        this.lab = lab;
        this.ns = ns;
        this.ifname = ifname;
        this.impl = impl;
        this.privateKey = Cmd.run(List.of("wg", "genkey")).orThrow().out().trim();
        this.publicKey = publicKeyOf(privateKey);
        this.keyFile = Files.writeString(dir.resolve(ifname + ".key"), privateKey + "\n");
        this.log = dir.resolve(ifname + ".log");
    }

    /** {@code wg pubkey} of a base64 private key. */
    public static String publicKeyOf(String privateKey) {
        return Cmd.run(Duration.ofSeconds(10), List.of("wg", "pubkey"), privateKey.trim() + "\n")
                .orThrow()
                .out()
                .trim();
    }

    /** The public key of a fresh private key that is then forgotten: a peer that will never send anything. */
    public static String randomPublicKey() {
        return publicKeyOf(Cmd.run(List.of("wg", "genkey")).orThrow().out());
    }

    /** Starts the implementation in the foreground and waits for its UAPI socket. */
    public WgNode start() {
        Path sock = NetLab.uapiSocket(ifname);
        lab.removeOnClose(sock);
        // ours also serves its counters on a port of its choice inside the namespace, for dropCounters()
        Map<String, String> env = impl == WgImpl.WGMESH
                ? Map.of("LOG_LEVEL", "verbose", "WGMESH_METRICS_LISTEN", "127.0.0.1:0")
                : Map.of("LOG_LEVEL", "verbose");
        process = lab.start(ns, impl.command(ifname), log, env);
        NetLab.awaitFile(sock, Duration.ofSeconds(30), process);
        return this;
    }

    public Process process() {
        return process;
    }

    /** {@code wg ARGS...} inside the namespace; fails on a non-zero exit. */
    public String wg(String... args) {
        List<String> cmd = new ArrayList<>(List.of("wg"));
        cmd.addAll(Arrays.asList(args));
        return Cmd.run(Duration.ofSeconds(60), ns.wrap(cmd), null).orThrow().out();
    }

    /** {@code wg set IFNAME ARGS...}. */
    public void set(String... args) {
        List<String> cmd = new ArrayList<>(List.of("set", ifname));
        cmd.addAll(Arrays.asList(args));
        wg(cmd.toArray(String[]::new));
    }

    /** Adds addresses and brings the interface up with {@code mtu}. */
    public void up(int mtu, String... addresses) {
        for (String a : addresses) {
            if (a.contains(":")) {
                ns.ok("ip", "addr", "add", a, "dev", ifname, "nodad");
            } else {
                ns.ok("ip", "addr", "add", a, "dev", ifname);
            }
        }
        ns.ok("ip", "link", "set", ifname, "mtu", Integer.toString(mtu), "up");
    }

    /**
     * What the kernel counted on this interface ({@code ip -s link}): tx = handed to the daemon, rx = written by it,
     * txDropped = packets the TUN queue dropped because the daemon did not read them in time.
     */
    public record LinkCounters(long rxBytes, long rxPackets, long txBytes, long txPackets, long txDropped) {}

    public LinkCounters linkCounters() {
        var stats = com.google.gson.JsonParser.parseString(ns.ok("ip", "-s", "-j", "link", "show", "dev", ifname))
                .getAsJsonArray()
                .get(0)
                .getAsJsonObject()
                .getAsJsonObject("stats64");
        var rx = stats.getAsJsonObject("rx");
        var tx = stats.getAsJsonObject("tx");
        return new LinkCounters(
                rx.get("bytes").getAsLong(),
                rx.get("packets").getAsLong(),
                tx.get("bytes").getAsLong(),
                tx.get("packets").getAsLong(),
                tx.get("dropped").getAsLong());
    }

    public void mtu(int mtu) {
        ns.ok("ip", "link", "set", ifname, "mtu", Integer.toString(mtu));
    }

    private static final java.util.regex.Pattern METRICS_AT =
            java.util.regex.Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    /**
     * For a failing test's message: the kernel's counters of the interface and, for our daemon, its non-zero drop
     * and queue-drop counters by reason (from its metrics endpoint, through ncat inside the namespace). Never throws.
     */
    public String dropCounters() {
        StringBuilder out = new StringBuilder(this + ": " + linkCountersOrError());
        if (impl != WgImpl.WGMESH) {
            return out.toString();
        }
        java.util.regex.Matcher m = METRICS_AT.matcher(logText());
        if (!m.find()) {
            return out.append(" (no metrics address in the log)").toString();
        }
        String metrics;
        try {
            metrics = ns.sh(
                            Duration.ofSeconds(10),
                            "printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' | ncat 127.0.0.1 " + m.group(1))
                    .out();
        } catch (RuntimeException e) {
            return out.append(" (metrics unavailable: ")
                    .append(e.getMessage())
                    .append(')')
                    .toString();
        }
        metrics.lines()
                .filter(l -> l.startsWith("wgmesh_drops_total") || l.startsWith("wgmesh_peer_queue_drops_total"))
                .filter(l -> !l.endsWith(" 0"))
                .forEach(l -> out.append("\n  ").append(l));
        return out.toString();
    }

    private String linkCountersOrError() {
        try {
            return linkCounters().toString();
        } catch (RuntimeException e) {
            return "(link counters unavailable: " + e.getMessage() + ")";
        }
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return impl + "(" + ifname + ")";
    }
}
