package dev.wgmesh.dataplane.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.Cmd;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.WgImpl;
import dev.wgmesh.dataplane.netlab.WgNode;
import dev.wgmesh.dataplane.netlab.WgPair;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our daemon (side a) against real wireguard-go (side b) in two namespaces, configured only through wg(8).
 * Topology and addresses: {@link WgPair}.
 */
@Timeout(900)
class WireguardGoInteropTest {
    @TempDir
    Path dir;

    NetLab lab;
    WgPair pair;

    @BeforeEach
    void setUp() {
        lab = NetLab.create();
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private WgPair pair(boolean outerV6, boolean psk) throws Exception {
        pair = WgPair.create(
                lab, dir, WgImpl.WGMESH, WgImpl.WIREGUARD_GO, outerV6, psk ? WgPair.pskFile(dir) : null, 1420);
        return pair;
    }

    private String logs() {
        return pair == null
                ? ""
                : "\n--- wgmesh log ---\n" + pair.a.logText() + "\n--- wireguard-go log ---\n" + pair.b.logText();
    }

    @ParameterizedTest(name = "{0} initiates, outer IPv{1}, PSK")
    @CsvSource({"WGMESH,4", "WGMESH,6", "WIREGUARD_GO,4", "WIREGUARD_GO,6"})
    void handshakeFromEitherSideThenPingBothInnerFamilies(WgImpl initiator, int outer) throws Exception {
        pair(outer == 6, true);
        WgNode first = initiator == WgImpl.WGMESH ? pair.a : pair.b;
        WgNode second = first == pair.a ? pair.b : pair.a;
        String secondInner4 = second == pair.b ? WgPair.B_INNER4 : WgPair.A_INNER4;
        String secondInner6 = second == pair.b ? WgPair.B_INNER6 : WgPair.A_INNER6;
        String firstInner4 = first == pair.a ? WgPair.A_INNER4 : WgPair.B_INNER4;
        String firstInner6 = first == pair.a ? WgPair.A_INNER6 : WgPair.B_INNER6;
        assertThat(WgPair.reachable(first, secondInner4))
                .as("v4 ping %s → %s%s", first, second, logs())
                .isTrue();
        assertThat(WgPair.reachable(first, secondInner6))
                .as("v6 ping%s", logs())
                .isTrue();
        assertThat(WgPair.reachable(second, firstInner4))
                .as("v4 ping back%s", logs())
                .isTrue();
        assertThat(WgPair.reachable(second, firstInner6))
                .as("v6 ping back%s", logs())
                .isTrue();
        // our UAPI reports the handshake time and counters wg(8) shows
        String handshake = pair.a.wg("show", pair.a.ifname, "latest-handshakes").trim();
        assertThat(Long.parseLong(handshake.split("\\s+")[1])).isPositive();
        String transfer = pair.a.wg("show", pair.a.ifname, "transfer").trim().split("\n")[0];
        assertThat(Long.parseLong(transfer.split("\\s+")[1])).isPositive();
        assertThat(Long.parseLong(transfer.split("\\s+")[2])).isPositive();
        String endpoint = pair.a.wg("show", pair.a.ifname, "endpoints").trim();
        assertThat(endpoint).endsWith(outer == 6 ? "[" + WgPair.B_OUTER6 + "]:51821" : WgPair.B_OUTER4 + ":51821");
    }

    @Test
    void floodPingThousandEachWayWithoutLoss() throws Exception {
        pair(false, true);
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        assertThat(WgPair.ping(pair.a, WgPair.B_INNER4, 1000, true))
                .as("a → b%s", logs())
                .containsExactly(1000, 1000);
        assertThat(WgPair.ping(pair.b, WgPair.A_INNER4, 1000, true))
                .as("b → a%s", logs())
                .containsExactly(1000, 1000);
        assertThat(WgPair.ping(pair.a, WgPair.B_INNER6, 1000, true))
                .as("a → b v6%s", logs())
                .containsExactly(1000, 1000);
    }

    /** iperf3 client in {@code client}'s namespace; returns the JSON report. */
    static String iperf(WgNode client, String server, Duration timeout, String... extra) {
        List<String> cmd = new java.util.ArrayList<>(List.of("iperf3", "-c", server, "-J"));
        cmd.addAll(List.of(extra));
        return Cmd.run(timeout, client.ns.wrap(cmd), null).orThrow().out();
    }

    static long jsonLong(String json, String section, String key) {
        int s = json.lastIndexOf("\"" + section + "\"");
        int k = json.indexOf("\"" + key + "\"", s);
        int colon = json.indexOf(':', k);
        int end = colon + 1;
        while (end < json.length() && " \t\n-0123456789.eE+".indexOf(json.charAt(end)) >= 0) {
            end++;
        }
        return (long) Double.parseDouble(json.substring(colon + 1, end).trim());
    }

    @Test
    void iperfTcpOneGigabyteEachWay() throws Exception {
        pair(false, false);
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        pair.b.ns.ok("iperf3", "-s", "-D", "-B", WgPair.B_INNER4);
        NetLab.sleep(300);
        long gig = 1L << 30;
        String up = iperf(pair.a, WgPair.B_INNER4, Duration.ofSeconds(400), "-n", "1G");
        assertThat(jsonLong(up, "sum_received", "bytes")).as("a → b").isGreaterThanOrEqualTo(gig * 99 / 100);
        String down = iperf(pair.a, WgPair.B_INNER4, Duration.ofSeconds(400), "-n", "1G", "-R");
        assertThat(jsonLong(down, "sum_received", "bytes")).as("b → a").isGreaterThanOrEqualTo(gig * 99 / 100);
        System.out.printf(
                "iperf3 TCP 1G: a→b %.2f Gbit/s, b→a %.2f Gbit/s%n",
                jsonLong(up, "sum_received", "bits_per_second") / 1e9,
                jsonLong(down, "sum_received", "bits_per_second") / 1e9);
    }

    @Test
    void iperfUdpEachWay() throws Exception {
        pair(false, false);
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        pair.b.ns.ok("iperf3", "-s", "-D", "-B", WgPair.B_INNER4);
        NetLab.sleep(300);
        // UDP has no congestion control: with a cold JVM the first second (interpreted hot path) shows up as loss.
        // A short TCP run first lets the JIT compile the data path, as it would be in any running daemon.
        iperf(pair.a, WgPair.B_INNER4, Duration.ofSeconds(60), "-t", "2");
        iperf(pair.a, WgPair.B_INNER4, Duration.ofSeconds(60), "-t", "2", "-R");
        for (String dirFlag : new String[] {"", "-R"}) {
            List<String> args = new java.util.ArrayList<>(List.of("-u", "-b", "20M", "-t", "5", "-l", "1300"));
            if (!dirFlag.isEmpty()) {
                args.add(dirFlag);
            }
            String json = iperf(pair.a, WgPair.B_INNER4, Duration.ofSeconds(60), args.toArray(String[]::new));
            long packets = jsonLong(json, "sum", "packets");
            long lost = jsonLong(json, "sum", "lost_packets");
            System.out.printf(
                    "iperf3 UDP 20M %s: %d packets, %d lost%n", dirFlag.isEmpty() ? "a→b" : "b→a", packets, lost);
            assertThat(packets).isPositive();
            assertThat(lost * 100).as("UDP loss %s", dirFlag).isLessThan(packets * 5);
        }
    }

    @Test
    void roamingBothWays() throws Exception {
        pair(false, false);
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        // wireguard-go moves to a new port; its next packets teach us the new endpoint
        pair.b.set("listen-port", "52000");
        assertThat(WgPair.reachable(pair.b, WgPair.A_INNER4))
                .as("after b roams%s", logs())
                .isTrue();
        assertThat(pair.a.wg("show", pair.a.ifname, "endpoints")).contains(WgPair.B_OUTER4 + ":52000");
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4)).isTrue();
        // we move; wireguard-go learns our new port
        pair.a.set("listen-port", "53000");
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("after a roams%s", logs())
                .isTrue();
        assertThat(pair.b.wg("show", pair.b.ifname, "endpoints")).contains(WgPair.A_OUTER4 + ":53000");
    }

    @Test
    void cryptokeyRoutingDropsPacketsFromAnAddressAnotherPeerOwns() throws Exception {
        pair(false, false);
        assertThat(WgPair.reachable(pair.b, WgPair.A_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        // b gets the whole /24; a third peer gets b's own address as a more specific /32
        String third = Cmd.run(
                        Duration.ofSeconds(10),
                        List.of("wg", "pubkey"),
                        Cmd.run(List.of("wg", "genkey")).orThrow().out())
                .orThrow()
                .out()
                .trim();
        pair.a.set("peer", pair.b.publicKey, "allowed-ips", "10.77.0.0/24," + WgPair.B_INNER6 + "/128");
        pair.a.set("peer", third, "allowed-ips", WgPair.B_INNER4 + "/32");
        assertThat(WgPair.ping(pair.b, WgPair.A_INNER4, 3, false)[1])
                .as("v4 from b must be dropped")
                .isZero();
        assertThat(WgPair.reachable(pair.b, WgPair.A_INNER6))
                .as("v6 still b's%s", logs())
                .isTrue();
        pair.a.set("peer", third, "remove");
        assertThat(WgPair.reachable(pair.b, WgPair.A_INNER4))
                .as("v4 back once the third peer is gone")
                .isTrue();
    }
}
