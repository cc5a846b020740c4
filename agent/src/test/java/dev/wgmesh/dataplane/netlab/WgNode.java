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
        this.publicKey = Cmd.run(Duration.ofSeconds(10), List.of("wg", "pubkey"), privateKey + "\n")
                .orThrow()
                .out()
                .trim();
        this.keyFile = Files.writeString(dir.resolve(ifname + ".key"), privateKey + "\n");
        this.log = dir.resolve(ifname + ".log");
    }

    /** Starts the implementation in the foreground and waits for its UAPI socket. */
    public WgNode start() {
        Path sock = NetLab.uapiSocket(ifname);
        lab.removeOnClose(sock);
        process = lab.start(ns, impl.command(ifname), log, Map.of("LOG_LEVEL", "verbose"));
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
