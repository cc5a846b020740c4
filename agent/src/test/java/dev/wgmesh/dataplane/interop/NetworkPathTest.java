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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our daemon against wireguard-go across less friendly paths: NAT, a multi-homed host, jumbo MTU. */
@Timeout(300)
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

    /**
     * <pre>
     *   ns a (ours) 192.168.10.1 ── 192.168.10.254 ns r (SNAT, conntrack UDP timeout 3 s) 192.168.20.254 ── 192.168.20.2 ns b (wireguard-go)
     * </pre>
     * b has no endpoint for a: it learns a's NATed address from a's packets, and can reach a later only because
     * a's persistent keepalive (1 s) keeps the NAT mapping alive past the conntrack timeout.
     */
    @Test
    void persistentKeepaliveKeepsANatMappingAlive() throws Exception {
        Netns a = lab.namespace("na");
        Netns r = lab.namespace("nr");
        Netns b = lab.namespace("nb");
        String ar = lab.ifname("var");
        String ra = lab.ifname("vra");
        String rb = lab.ifname("vrb");
        String br = lab.ifname("vbr");
        lab.veth(a, ar, r, ra);
        lab.veth(r, rb, b, br);
        a.ok("ip", "addr", "add", "192.168.10.1/24", "dev", ar);
        a.ok("ip", "route", "add", "default", "via", "192.168.10.254");
        r.ok("ip", "addr", "add", "192.168.10.254/24", "dev", ra);
        r.ok("ip", "addr", "add", "192.168.20.254/24", "dev", rb);
        b.ok("ip", "addr", "add", "192.168.20.2/24", "dev", br);
        r.ok("sysctl", "-qw", "net.ipv4.ip_forward=1");
        r.ok("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", rb, "-j", "MASQUERADE");
        r.ok("sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout=3");
        r.ok("sysctl", "-qw", "net.netfilter.nf_conntrack_udp_timeout_stream=3");

        WgNode ours = new WgNode(lab, a, lab.ifname("wga"), WgImpl.WGMESH, dir).start();
        WgNode ref = new WgNode(lab, b, lab.ifname("wgb"), WgImpl.WIREGUARD_GO, dir).start();
        ours.set(
                "private-key",
                ours.keyFile.toString(),
                "listen-port",
                "51820",
                "peer",
                ref.publicKey,
                "allowed-ips",
                WgPair.B_INNER4 + "/32",
                "endpoint",
                "192.168.20.2:51821",
                "persistent-keepalive",
                "1");
        ref.set(
                "private-key",
                ref.keyFile.toString(),
                "listen-port",
                "51821",
                "peer",
                ours.publicKey,
                "allowed-ips",
                WgPair.A_INNER4 + "/32");
        ours.up(1420, WgPair.A_INNER4 + "/24");
        ref.up(1420, WgPair.B_INNER4 + "/24");

        assertThat(WgPair.reachable(ours, WgPair.B_INNER4))
                .as("through the NAT%s", ours.logText())
                .isTrue();
        assertThat(ref.wg("show", ref.ifname, "endpoints")).contains("192.168.20.254:");
        NetLab.sleep(8000); // well past the 3 s conntrack timeout
        assertThat(WgPair.ping(ref, WgPair.A_INNER4, 3, false)[1])
                .as("b reaches a through the mapping kept alive by keepalives")
                .isPositive();
    }

    /**
     * a's veth has two addresses; wireguard-go talks to the second one. Our replies must come from that address
     * (sticky source), or wireguard-go would roam its endpoint for us to the primary address.
     */
    @Test
    void repliesComeFromTheAddressThePeerTalksTo() throws Exception {
        Netns a = lab.namespace("sa");
        Netns b = lab.namespace("sb");
        String va = lab.ifname("va");
        String vb = lab.ifname("vb");
        lab.veth(a, va, b, vb);
        a.ok("ip", "addr", "add", "192.168.77.1/24", "dev", va);
        a.ok("ip", "addr", "add", "192.168.77.11/24", "dev", va);
        b.ok("ip", "addr", "add", "192.168.77.2/24", "dev", vb);
        WgNode ours = new WgNode(lab, a, lab.ifname("wga"), WgImpl.WGMESH, dir).start();
        WgNode ref = new WgNode(lab, b, lab.ifname("wgb"), WgImpl.WIREGUARD_GO, dir).start();
        ours.set(
                "private-key",
                ours.keyFile.toString(),
                "listen-port",
                "51820",
                "peer",
                ref.publicKey,
                "allowed-ips",
                WgPair.B_INNER4 + "/32");
        ref.set(
                "private-key",
                ref.keyFile.toString(),
                "listen-port",
                "51821",
                "peer",
                ours.publicKey,
                "allowed-ips",
                WgPair.A_INNER4 + "/32",
                "endpoint",
                "192.168.77.11:51820");
        ours.up(1420, WgPair.A_INNER4 + "/24");
        ref.up(1420, WgPair.B_INNER4 + "/24");

        assertThat(WgPair.reachable(ref, WgPair.A_INNER4))
                .as("b → a%s", ours.logText())
                .isTrue();
        assertThat(WgPair.ping(ours, WgPair.B_INNER4, 5, false)[1]).isPositive();
        assertThat(ref.wg("show", ref.ifname, "endpoints")).contains("192.168.77.11:51820");
    }

    /** Both sides at a jumbo MTU of 9,000: 8,900-byte pings cross in one WireGuard packet each. */
    @Test
    void jumboMtu9000PassesLargePackets() throws Exception {
        WgPair pair = WgPair.create(lab, dir, WgImpl.WGMESH, WgImpl.WIREGUARD_GO, false, null, 9000);
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4)).isTrue();
        assertThat(WgPair.pingSized(pair.a, WgPair.B_INNER4, 5, 8900)[1])
                .as("a → b%s", pair.a.logText())
                .isEqualTo(5);
        assertThat(WgPair.pingSized(pair.b, WgPair.A_INNER4, 5, 8900)[1])
                .as("b → a")
                .isEqualTo(5);
    }

    /** Issue 4: an MTU of ~34,800 on both sides carries packets far above 1500 in both directions. */
    @Test
    void mtu34800PassesLargePackets() throws Exception {
        WgPair pair = WgPair.create(lab, dir, WgImpl.WGMESH, WgImpl.WIREGUARD_GO, false, null, 34800);
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4)).isTrue();
        assertThat(WgPair.pingSized(pair.a, WgPair.B_INNER4, 5, 30000)[1])
                .as("a → b%s", pair.a.logText())
                .isEqualTo(5);
        assertThat(WgPair.pingSized(pair.b, WgPair.A_INNER4, 5, 30000)[1])
                .as("b → a")
                .isEqualTo(5);
        // And bulk TCP both ways at that MTU, as at 1420.
        pair.b.ns.ok("iperf3", "-s", "-D", "-B", WgPair.B_INNER4);
        NetLab.sleep(300);
        long gig = 1L << 30;
        String up =
                WireguardGoInteropTest.iperf(pair.a, WgPair.B_INNER4, java.time.Duration.ofSeconds(400), "-n", "1G");
        assertThat(WireguardGoInteropTest.jsonLong(up, "sum_received", "bytes"))
                .as("a → b")
                .isGreaterThanOrEqualTo(gig * 99 / 100);
        String down = WireguardGoInteropTest.iperf(
                pair.a, WgPair.B_INNER4, java.time.Duration.ofSeconds(400), "-n", "1G", "-R");
        assertThat(WireguardGoInteropTest.jsonLong(down, "sum_received", "bytes"))
                .as("b → a")
                .isGreaterThanOrEqualTo(gig * 99 / 100);
    }
}
