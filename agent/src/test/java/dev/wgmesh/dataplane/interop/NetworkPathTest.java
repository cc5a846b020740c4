package dev.wgmesh.dataplane.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import dev.wgmesh.dataplane.netlab.WgImpl;
import dev.wgmesh.dataplane.netlab.WgNode;
import dev.wgmesh.dataplane.netlab.WgPair;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our daemon (side a) across less friendly paths — a NAT, a multi-homed host — against real wireguard-go and
 * against itself (side b), over IPv4 and IPv6 outer transport, with a preshared key and both inner families.
 * Each test needs its own shape of network, so each builds its own (small) topology.
 */
@Timeout(180)
class NetworkPathTest {
    @TempDir
    Path dir;

    NetLab lab;

    @BeforeEach
    void setUp() {
        lab = NetLab.create();
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private static String logs(WgNode a, WgNode b) {
        return "\n--- counters ---\n" + a.dropCounters() + "\n" + b.dropCounters() + "\n--- a ---\n" + a.logText()
                + "\n--- b ---\n" + b.logText();
    }

    private static void addr(Netns ns, String cidr, String dev) {
        if (cidr.contains(":")) {
            ns.ok("ip", "addr", "add", cidr, "dev", dev, "nodad");
        } else {
            ns.ok("ip", "addr", "add", cidr, "dev", dev);
        }
    }

    private static String bracket(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    /** Both sides' keys and ports, with both inner families; {@code bEndpoint}/{@code aEndpoint} may be null. */
    private static void configure(WgNode a, WgNode b, Path psk, String bEndpoint, String aEndpoint, String... aExtra) {
        configureSide(a, "51820", b, WgPair.B_INNER4 + "/32," + WgPair.B_INNER6 + "/128", psk, bEndpoint, aExtra);
        configureSide(b, "51821", a, WgPair.A_INNER4 + "/32," + WgPair.A_INNER6 + "/128", psk, aEndpoint);
        a.up(1420, WgPair.A_INNER4 + "/24", WgPair.A_INNER6 + "/64");
        b.up(1420, WgPair.B_INNER4 + "/24", WgPair.B_INNER6 + "/64");
    }

    private static void configureSide(
            WgNode on, String port, WgNode peer, String allowed, Path psk, String endpoint, String... extra) {
        java.util.List<String> args = new java.util.ArrayList<>(
                java.util.List.of("private-key", on.keyFile.toString(), "listen-port", port, "peer", peer.publicKey));
        args.addAll(java.util.List.of("preshared-key", psk.toString(), "allowed-ips", allowed));
        if (endpoint != null) {
            args.addAll(java.util.List.of("endpoint", endpoint));
        }
        args.addAll(java.util.List.of(extra));
        on.set(args.toArray(String[]::new));
    }

    /**
     * <pre>
     *   ns a (ours) .10.1 ── .10.254 ns r (masquerade, conntrack UDP timeout 3 s) .20.254 ── .20.2 ns b (peer)
     * </pre>
     * (fd77:10::/64 and fd77:20::/64 for IPv6 outer, ip6tables masquerade.) b has no endpoint for a: it learns a's
     * translated address from a's authenticated packets, and can reach a later only because a's persistent keepalive
     * (1 s) keeps the mapping alive past the conntrack timeout. With the keepalive off, the mapping expires and b's
     * packets stop reaching a — the control that shows the keepalive is what kept it open.
     */
    @ParameterizedTest(name = "against {0}, outer IPv{1}")
    @CsvSource({"WIREGUARD_GO,4", "WIREGUARD_GO,6", "WGMESH,4", "WGMESH,6"})
    void persistentKeepaliveKeepsANatMappingAliveBothWays(WgImpl peer, int outer) throws Exception {
        boolean v6 = outer == 6;
        String aAddr = v6 ? "fd77:10::1" : "192.168.10.1";
        String rInside = v6 ? "fd77:10::fe" : "192.168.10.254";
        String rOutside = v6 ? "fd77:20::fe" : "192.168.20.254";
        String bAddr = v6 ? "fd77:20::2" : "192.168.20.2";
        String prefix = v6 ? "/64" : "/24";
        Netns a = lab.namespace("na");
        Netns r = lab.namespace("nr");
        Netns b = lab.namespace("nb");
        String ar = lab.ifname("var");
        String ra = lab.ifname("vra");
        String rb = lab.ifname("vrb");
        String br = lab.ifname("vbr");
        lab.veth(a, ar, r, ra);
        lab.veth(r, rb, b, br);
        addr(a, aAddr + prefix, ar);
        addr(r, rInside + prefix, ra);
        addr(r, rOutside + prefix, rb);
        addr(b, bAddr + prefix, br);
        a.ok("ip", v6 ? "-6" : "-4", "route", "add", "default", "via", rInside);
        r.ok("sysctl", "-qw", v6 ? "net.ipv6.conf.all.forwarding=1" : "net.ipv4.ip_forward=1");
        r.ok(v6 ? "ip6tables" : "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", rb, "-j", "MASQUERADE");
        r.ok("sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=3");
        r.ok("sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout_stream=3");

        WgNode ours = new WgNode(lab, a, lab.ifname("wga"), WgImpl.WGMESH, dir).start();
        WgNode other = new WgNode(lab, b, lab.ifname("wgb"), peer, dir).start();
        configure(ours, other, WgPair.pskFile(dir), bracket(bAddr) + ":51821", null, "persistent-keepalive", "1");

        assertThat(WgPair.reachable(ours, WgPair.B_INNER4))
                .as("a → b through the NAT%s", logs(ours, other))
                .isTrue();
        assertThat(other.wg("show", other.ifname, "endpoints")).contains(bracket(rOutside) + ":");
        NetLab.sleep(8000); // well past the 3 s conntrack timeout
        assertThat(WgPair.ping(other, WgPair.A_INNER4, 3, false)[1])
                .as("b → a (IPv4 inside) through the mapping the keepalives kept%s", logs(ours, other))
                .isPositive();
        assertThat(WgPair.ping(other, WgPair.A_INNER6, 3, false)[1])
                .as("b → a (IPv6 inside)")
                .isPositive();

        ours.set("peer", other.publicKey, "persistent-keepalive", "off");
        NetLab.sleep(8000);
        assertThat(WgPair.ping(other, WgPair.A_INNER4, 3, false)[1])
                .as("without keepalives the mapping expires and b cannot reach a")
                .isZero();
    }

    /**
     * Sticky source (issue 4). a's veth has a primary and a second address; b talks to the second one, and our
     * replies must come from it (otherwise b, which roams to the source of authenticated packets, would move its
     * endpoint for us to the primary). Then an address is added and b moves to it: we follow. Then that address is
     * removed: our send from it fails, we fall back to one the routing table picks, and b learns that one.
     */
    @ParameterizedTest(name = "against {0}, outer IPv{1}")
    @CsvSource({"WIREGUARD_GO,4", "WIREGUARD_GO,6", "WGMESH,4", "WGMESH,6"})
    void repliesComeFromTheAddressThePeerTalksToAndFollowAddressChanges(WgImpl peer, int outer) throws Exception {
        boolean v6 = outer == 6;
        String primary = v6 ? "fd77:0:0:1::1" : "192.168.77.1";
        String second = v6 ? "fd77:0:0:1::11" : "192.168.77.11";
        String added = v6 ? "fd77:0:0:1::12" : "192.168.77.12";
        String bAddr = v6 ? "fd77:0:0:1::2" : "192.168.77.2";
        String prefix = v6 ? "/64" : "/24";
        Netns a = lab.namespace("sa");
        Netns b = lab.namespace("sb");
        String va = lab.ifname("va");
        String vb = lab.ifname("vb");
        lab.veth(a, va, b, vb);
        addr(a, primary + prefix, va);
        addr(a, second + prefix, va);
        addr(b, bAddr + prefix, vb);
        WgNode ours = new WgNode(lab, a, lab.ifname("wga"), WgImpl.WGMESH, dir).start();
        WgNode other = new WgNode(lab, b, lab.ifname("wgb"), peer, dir).start();
        configure(ours, other, WgPair.pskFile(dir), null, bracket(second) + ":51820");

        assertThat(WgPair.reachable(other, WgPair.A_INNER4))
                .as("b → a%s", logs(ours, other))
                .isTrue();
        assertThat(WgPair.ping(ours, WgPair.B_INNER6, 5, false)[1]).isPositive();
        assertThat(other.wg("show", other.ifname, "endpoints")).contains(bracket(second) + ":51820");

        addr(a, added + prefix, va);
        other.set("peer", ours.publicKey, "endpoint", bracket(added) + ":51820");
        assertThat(WgPair.reachable(other, WgPair.A_INNER6))
                .as("b → a at the added address%s", logs(ours, other))
                .isTrue();
        assertThat(WgPair.ping(ours, WgPair.B_INNER4, 5, false)[1]).isPositive();
        assertThat(other.wg("show", other.ifname, "endpoints")).contains(bracket(added) + ":51820");

        a.ok("ip", "addr", "del", added + prefix, "dev", va);
        assertThat(WgPair.reachable(ours, WgPair.B_INNER4))
                .as("a → b after our source address is gone%s", logs(ours, other))
                .isTrue();
        String learned = other.wg("show", other.ifname, "endpoints");
        assertThat(learned)
                .as("b learned an address we still have")
                .containsAnyOf(bracket(primary) + ":51820", bracket(second) + ":51820");
        assertThat(WgPair.reachable(other, WgPair.A_INNER6))
                .as("b → a at that address")
                .isTrue();
    }
}
