package dev.wgmesh.dataplane.netlab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two WireGuard nodes in two namespaces joined by a veth pair:
 *
 * <pre>
 *   ns a: veth 192.168.77.1/24 fd77:0:0:1::1/64        ns b: veth 192.168.77.2/24 fd77:0:0:1::2/64
 *         wg   10.77.0.1/24    fd77:0:0:2::1/64              wg   10.77.0.2/24    fd77:0:0:2::2/64
 *         listen 51820                                       listen 51821
 * </pre>
 *
 * Each side has the other as its only peer, allowed IPs = the other's inner /32 and /128, endpoint on the outer v4
 * or v6 address, optional preshared key.
 */
public final class WgPair {
    public static final String A_INNER4 = "10.77.0.1";
    public static final String B_INNER4 = "10.77.0.2";
    public static final String A_INNER6 = "fd77:0:0:2::1";
    public static final String B_INNER6 = "fd77:0:0:2::2";
    public static final String A_OUTER4 = "192.168.77.1";
    public static final String B_OUTER4 = "192.168.77.2";
    public static final String A_OUTER6 = "fd77:0:0:1::1";
    public static final String B_OUTER6 = "fd77:0:0:1::2";

    public final NetLab lab;
    public final WgNode a;
    public final WgNode b;

    private WgPair(NetLab lab, WgNode a, WgNode b) {
        this.lab = lab;
        this.a = a;
        this.b = b;
    }

    /**
     * Builds and starts the pair.
     *
     * @param outerV6 endpoints on the IPv6 veth addresses instead of IPv4
     * @param psk a preshared key file both sides use, or null
     */
    public static WgPair create(NetLab lab, Path dir, WgImpl implA, WgImpl implB, boolean outerV6, Path psk, int mtu)
            throws java.io.IOException {
        Netns nsA = lab.namespace("a");
        Netns nsB = lab.namespace("b");
        String vethA = lab.ifname("va");
        String vethB = lab.ifname("vb");
        lab.veth(nsA, vethA, nsB, vethB);
        nsA.ok("ip", "addr", "add", A_OUTER4 + "/24", "dev", vethA);
        nsB.ok("ip", "addr", "add", B_OUTER4 + "/24", "dev", vethB);
        nsA.ok("ip", "addr", "add", A_OUTER6 + "/64", "dev", vethA, "nodad");
        nsB.ok("ip", "addr", "add", B_OUTER6 + "/64", "dev", vethB, "nodad");
        WgNode a = new WgNode(lab, nsA, lab.ifname("wga"), implA, dir).start();
        WgNode b = new WgNode(lab, nsB, lab.ifname("wgb"), implB, dir).start();
        a.set("private-key", a.keyFile.toString(), "listen-port", "51820");
        b.set("private-key", b.keyFile.toString(), "listen-port", "51821");
        String endB = outerV6 ? "[" + B_OUTER6 + "]:51821" : B_OUTER4 + ":51821";
        String endA = outerV6 ? "[" + A_OUTER6 + "]:51820" : A_OUTER4 + ":51820";
        peer(a, b, B_INNER4 + "/32," + B_INNER6 + "/128", endB, psk);
        peer(b, a, A_INNER4 + "/32," + A_INNER6 + "/128", endA, psk);
        a.up(mtu, A_INNER4 + "/24", A_INNER6 + "/64");
        b.up(mtu, B_INNER4 + "/24", B_INNER6 + "/64");
        return new WgPair(lab, a, b);
    }

    private static void peer(WgNode on, WgNode other, String allowed, String endpoint, Path psk) {
        if (psk == null) {
            on.set("peer", other.publicKey, "allowed-ips", allowed, "endpoint", endpoint);
        } else {
            on.set(
                    "peer",
                    other.publicKey,
                    "preshared-key",
                    psk.toString(),
                    "allowed-ips",
                    allowed,
                    "endpoint",
                    endpoint);
        }
    }

    /** Generates a preshared key file in {@code dir}. */
    public static Path pskFile(Path dir) throws java.io.IOException {
        return java.nio.file.Files.writeString(
                dir.resolve("psk"), Cmd.run(List.of("wg", "genpsk")).orThrow().out());
    }

    private static final Pattern PING_SUMMARY =
            Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received");

    /** ping from {@code from} to {@code addr}: {@code count} echoes, fast (flood with iputils, -A with busybox). */
    public static int[] ping(WgNode from, String addr, int count, boolean flood) {
        boolean iputils = Cmd.run(List.of("sh", "-c", "command -v ping")).exit() == 0;
        List<String> cmd;
        if (iputils) {
            cmd = flood
                    ? List.of("ping", "-f", "-c", Integer.toString(count), "-W", "2", addr)
                    : List.of("ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", addr);
        } else {
            cmd = flood
                    ? List.of("busybox", "ping", "-A", "-q", "-c", Integer.toString(count), "-W", "2", addr)
                    : List.of("busybox", "ping", "-c", Integer.toString(count), "-W", "2", addr);
        }
        Cmd.Result r = Cmd.run(Duration.ofSeconds(60), from.ns.wrap(cmd), null);
        Matcher m = PING_SUMMARY.matcher(r.out());
        if (!m.find()) {
            throw new IllegalStateException("no ping summary: " + r.out() + r.err());
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** {@code count} pings of {@code size} data bytes (DF not set, so the kernel may fragment the inner packet). */
    public static int[] pingSized(WgNode from, String addr, int count, int size) {
        boolean iputils = Cmd.run(List.of("sh", "-c", "command -v ping")).exit() == 0;
        List<String> cmd =
                new java.util.ArrayList<>(iputils ? List.of("ping", "-M", "dont") : List.of("busybox", "ping"));
        cmd.addAll(List.of("-c", Integer.toString(count), "-s", Integer.toString(size), "-W", "3", addr));
        Cmd.Result r = Cmd.run(Duration.ofSeconds(60), from.ns.wrap(cmd), null);
        Matcher m = PING_SUMMARY.matcher(r.out());
        if (!m.find()) {
            throw new IllegalStateException("no ping summary: " + r.out() + r.err());
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** True once {@code from} can ping {@code addr} (retrying while the handshake completes, up to ~10 s). */
    public static boolean reachable(WgNode from, String addr) {
        for (int i = 0; i < 10; i++) {
            if (ping(from, addr, 1, false)[1] == 1) {
                return true;
            }
        }
        return false;
    }
}
