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
    /** The veth ends in a's and b's namespaces. */
    public final String vethA;

    public final String vethB;
    public final boolean outerV6;
    public final int mtu;
    private final Path psk;

    private WgPair(NetLab lab, WgNode a, WgNode b, String vethA, String vethB, boolean outerV6, Path psk, int mtu) {
        this.lab = lab;
        this.a = a;
        this.b = b;
        this.vethA = vethA;
        this.vethB = vethB;
        this.outerV6 = outerV6;
        this.psk = psk;
        this.mtu = mtu;
    }

    /**
     * Builds and starts the pair. If anything fails half-way the lab still owns what was made, so the caller's
     * {@code lab.close()} cleans up.
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
        WgPair pair = new WgPair(lab, a, b, vethA, vethB, outerV6, psk, mtu);
        a.set("private-key", a.keyFile.toString(), "listen-port", "51820");
        b.set("private-key", b.keyFile.toString(), "listen-port", "51821");
        peer(a, b, B_INNER4 + "/32," + B_INNER6 + "/128", pair.endpoint(b), psk);
        peer(b, a, A_INNER4 + "/32," + A_INNER6 + "/128", pair.endpoint(a), psk);
        a.up(mtu, A_INNER4 + "/24", A_INNER6 + "/64");
        b.up(mtu, B_INNER4 + "/24", B_INNER6 + "/64");
        return pair;
    }

    /** {@code node}'s configured UDP endpoint as its peer knows it: {@code 192.168.77.2:51821} or {@code [..]:51821}. */
    public String endpoint(WgNode node) {
        return outer(node) + ":" + port(node);
    }

    /** {@code node}'s outer address in the family of this pair's transport, bracketed for IPv6. */
    public String outer(WgNode node) {
        if (outerV6) {
            return "[" + (node == a ? A_OUTER6 : B_OUTER6) + "]";
        }
        return node == a ? A_OUTER4 : B_OUTER4;
    }

    private int port(WgNode node) {
        return node == a ? 51820 : 51821;
    }

    /** {@code node}'s tunnel address of {@code family} (4 or 6). */
    public String inner(WgNode node, int family) {
        if (family == 6) {
            return node == a ? A_INNER6 : B_INNER6;
        }
        return node == a ? A_INNER4 : B_INNER4;
    }

    public WgNode other(WgNode node) {
        return node == a ? b : a;
    }

    /**
     * Back to the configuration {@link #create} made, with fresh peers (so no session survives and the next packet
     * starts a new handshake from whichever side sends it), and both MTUs back to the initial one. Uses
     * {@code wg setconf}, which replaces the whole device configuration as an administrator would.
     */
    public void reset() throws java.io.IOException {
        for (WgNode node : List.of(a, b)) {
            WgNode other = other(node);
            StringBuilder conf = new StringBuilder()
                    .append("[Interface]\nPrivateKey = ")
                    .append(node.privateKey)
                    .append("\nListenPort = ")
                    .append(port(node))
                    .append("\n\n[Peer]\nPublicKey = ")
                    .append(other.publicKey)
                    .append("\nAllowedIPs = ")
                    .append(inner(other, 4))
                    .append("/32, ")
                    .append(inner(other, 6))
                    .append("/128\nEndpoint = ")
                    .append(endpoint(other))
                    .append('\n');
            if (psk != null) {
                conf.append("PresharedKey = ")
                        .append(java.nio.file.Files.readString(psk).trim())
                        .append('\n');
            }
            Path file = node.keyFile.resolveSibling(node.ifname + ".conf");
            java.nio.file.Files.writeString(file, conf);
            node.wg("setconf", node.ifname, file.toString());
            node.mtu(mtu);
        }
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
        return ping(from.ns, addr, count, flood);
    }

    public static int[] ping(Netns from, String addr, int count, boolean flood) {
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
        return summary(from, cmd);
    }

    /** {@code count} pings of {@code size} data bytes (DF not set, so the kernel may fragment the inner packet). */
    public static int[] pingSized(WgNode from, String addr, int count, int size) {
        boolean iputils = Cmd.run(List.of("sh", "-c", "command -v ping")).exit() == 0;
        List<String> cmd =
                new java.util.ArrayList<>(iputils ? List.of("ping", "-M", "dont") : List.of("busybox", "ping"));
        cmd.addAll(List.of("-c", Integer.toString(count), "-s", Integer.toString(size), "-W", "3", addr));
        return summary(from.ns, cmd);
    }

    /** Runs a ping in {@code ns}: {transmitted, received}. */
    private static int[] summary(Netns ns, List<String> cmd) {
        Cmd.Result r = Cmd.run(Duration.ofSeconds(60), ns.wrap(cmd), null);
        Matcher m = PING_SUMMARY.matcher(r.out());
        if (!m.find()) {
            throw new IllegalStateException("no ping summary: " + r.out() + r.err());
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /** True once {@code from} can ping {@code addr} (retrying while the handshake completes, up to ~10 s). */
    public static boolean reachable(WgNode from, String addr) {
        return reachable(from.ns, addr);
    }

    public static boolean reachable(Netns from, String addr) {
        for (int i = 0; i < 10; i++) {
            if (ping(from, addr, 1, false)[1] == 1) {
                return true;
            }
        }
        return false;
    }
}
