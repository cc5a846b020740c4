package dev.wgmesh.dataplane.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.Iperf;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.WgImpl;
import dev.wgmesh.dataplane.netlab.WgNode;
import dev.wgmesh.dataplane.netlab.WgPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4's tunnel interop list, run against real wireguard-go and against our own daemon, over IPv4 and IPv6
 * outer transport, always with a preshared key: our daemon is side a of a {@link WgPair}, the peer implementation
 * is side b, both configured only through wg(8).
 *
 * <p>One topology per class invocation (peer × outer family); {@link #freshConfiguration} puts it back to the
 * initial configuration with fresh peers before each test, so tests do not depend on one another's order.
 *
 * <p>Bulk transfer ({@link BulkTransfer}) is the slow part, so its inner family is chosen pairwise rather than as a
 * full product: at MTU 1420 the inner family equals the outer one, at MTU 34,800 it is the other one. Every pair of
 * (peer, outer, inner, MTU) values is then covered; pings cover both inner families in every invocation.
 */
@ParameterizedClass(name = "against {0}, outer IPv{1}, PSK")
@CsvSource({"WIREGUARD_GO,4", "WIREGUARD_GO,6", "WGMESH,4", "WGMESH,6"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TunnelInteropTest {
    @Parameter(0)
    WgImpl peer;

    @Parameter(1)
    int outer;

    Path dir;
    NetLab lab;
    WgPair pair;

    @BeforeParameterizedClassInvocation(injectArguments = false)
    void buildTopology() throws Exception {
        dir = Files.createTempDirectory("wgm-interop-");
        lab = NetLab.create();
        try {
            pair = WgPair.create(lab, dir, WgImpl.WGMESH, peer, outer == 6, WgPair.pskFile(dir), 1420);
            Iperf.server(lab, pair.b.ns, dir.resolve("iperf3.log"));
        } catch (Exception | Error e) {
            lab.close();
            throw e;
        }
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    void tearDown() throws Exception {
        if (lab != null) {
            lab.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void freshConfiguration() throws Exception {
        pair.reset();
    }

    String logs() {
        return "\n--- counters ---\n" + pair.a.dropCounters() + "\n" + pair.b.dropCounters()
                + "\n--- wgmesh (a) log ---\n" + tail(pair.a) + "\n--- " + peer + " (b) log ---\n" + tail(pair.b);
    }

    private static String tail(WgNode node) {
        String log = node.logText();
        return log.length() > 4000 ? "..." + log.substring(log.length() - 4000) : log;
    }

    @ParameterizedTest(name = "{0} initiates")
    @ValueSource(strings = {"a", "b"})
    @Timeout(120)
    void handshakeFromEitherSideThenBothInnerFamiliesBothWays(String initiator) {
        WgNode first = initiator.equals("a") ? pair.a : pair.b;
        WgNode second = pair.other(first);
        for (int family : new int[] {4, 6}) {
            assertThat(WgPair.reachable(first, pair.inner(second, family)))
                    .as("IPv%d %s → %s%s", family, first, second, logs())
                    .isTrue();
            assertThat(WgPair.reachable(second, pair.inner(first, family)))
                    .as("IPv%d %s → %s%s", family, second, first, logs())
                    .isTrue();
        }
        // what wg(8) shows about the session on our side
        String handshake = pair.a.wg("show", pair.a.ifname, "latest-handshakes").trim();
        assertThat(Long.parseLong(handshake.split("\\s+")[1])).isPositive();
        String[] transfer = pair.a.wg("show", pair.a.ifname, "transfer").trim().split("\\s+");
        assertThat(Long.parseLong(transfer[1])).as("received").isPositive();
        assertThat(Long.parseLong(transfer[2])).as("sent").isPositive();
        assertThat(pair.a.wg("show", pair.a.ifname, "endpoints").trim()).endsWith(pair.endpoint(pair.b));
        assertThat(pair.b.wg("show", pair.b.ifname, "endpoints").trim()).endsWith(pair.endpoint(pair.a));
    }

    @Test
    @Timeout(180)
    void floodPingThousandEachWayBothInnerFamiliesWithoutLoss() {
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        for (int family : new int[] {4, 6}) {
            for (WgNode from : List.of(pair.a, pair.b)) {
                assertThat(WgPair.ping(from, pair.inner(pair.other(from), family), 1000, true))
                        .as("ping -f IPv%d from %s%s", family, from, logs())
                        .containsExactly(1000, 1000);
            }
        }
    }

    /**
     * Issue 5: our idle inline I/O threads (TUN reader, UDP receiver) wait at real-time priority, so a sparse packet is
     * handled the moment it arrives ({@code WakeBoost}); after traffic and a quiet spell the first packet raises them
     * again.
     */
    @Test
    @Timeout(60)
    void idleDataPlaneThreadsWaitAtRealTimePriority() throws Exception {
        String mode = System.getProperty("wgmesh.datapath");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                mode == null || mode.equals("auto") || mode.equals("inline"), "inline mode only");
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        assertThat(WgPair.ping(pair.a, pair.inner(pair.b, 4), 1000, true)).containsExactly(1000, 1000);
        Thread.sleep(50); // a quiet spell longer than WakeBoost.SLEPT_NANOS
        assertThat(WgPair.ping(pair.a, pair.inner(pair.b, 4), 2, false)).containsExactly(2, 2);
        assertThat(ioThreadPolicies(pair.a))
                .as("scheduling policy (1 = SCHED_FIFO) of a's I/O threads")
                .isEqualTo(java.util.Map.of("tun", 1, "udp", 1));
    }

    /** The scheduling policy (field 41 of /proc/PID/task/TID/stat) of our daemon's "wg-IF-tun" and "-udp" threads. */
    private static java.util.Map<String, Integer> ioThreadPolicies(WgNode node) throws Exception {
        java.util.Map<String, Integer> policies = new java.util.TreeMap<>();
        try (var tasks =
                Files.list(Path.of("/proc", Long.toString(node.process().pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String comm = Files.readString(task.resolve("comm")).trim();
                for (String role : List.of("tun", "udp")) {
                    String name = "wg-" + node.ifname + "-" + role;
                    if (comm.equals(name.substring(0, Math.min(15, name.length())))) { // comm keeps 15 characters
                        policies.put(role, dev.wgmesh.dataplane.netlab.ThreadPolicy.of(task));
                    }
                }
            }
        }
        return policies;
    }

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1420, 34800})
    @Timeout(3600)
    void bulkTcpAndUdpOneGigabyteEachWayCountedOnTheInterfaces(int mtu) {
        new BulkTransfer(pair, this::logs).run(mtu, mtu == 1420 ? outer : 10 - outer);
    }

    /**
     * Roaming (issue 4): b moves to a new outer address and listen port, and a learns the new endpoint from b's
     * authenticated packets; then a moves its port and b learns that.
     */
    @Test
    @Timeout(120)
    void roamingEndpointsAreLearnedFromAuthenticatedTraffic() {
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        String oldB = outer == 6 ? WgPair.B_OUTER6 + "/64" : WgPair.B_OUTER4 + "/24";
        String newB = outer == 6 ? "fd77:0:0:1::22/64" : "192.168.77.22/24";
        String newBShown = outer == 6 ? "[fd77:0:0:1::22]:52000" : "192.168.77.22:52000";
        // without this, deleting b's primary IPv4 address would take the new (secondary) one with it
        pair.b.ns.ok("sysctl", "-qw", "net.ipv4.conf." + pair.vethB + ".promote_secondaries=1");
        try {
            addAddress(pair.b, pair.vethB, newB);
            pair.b.ns.ok("ip", "addr", "del", oldB, "dev", pair.vethB);
            pair.b.set("listen-port", "52000");
            assertThat(WgPair.reachable(pair.b, WgPair.A_INNER4))
                    .as("after b roams%s", logs())
                    .isTrue();
            assertThat(pair.a.wg("show", pair.a.ifname, "endpoints")).contains(newBShown);
            assertThat(WgPair.reachable(pair.a, WgPair.B_INNER6))
                    .as("a → b at b's new endpoint")
                    .isTrue();

            pair.a.set("listen-port", "53000");
            assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                    .as("after a roams%s", logs())
                    .isTrue();
            assertThat(pair.b.wg("show", pair.b.ifname, "endpoints")).contains(pair.outer(pair.a) + ":53000");
            assertThat(WgPair.reachable(pair.b, WgPair.A_INNER6))
                    .as("b → a at a's new port")
                    .isTrue();
        } finally {
            pair.b.ns.exec("ip", "addr", "del", newB, "dev", pair.vethB);
            addAddress(pair.b, pair.vethB, oldB);
        }
    }

    private static void addAddress(WgNode node, String dev, String cidr) {
        if (cidr.contains(":")) {
            node.ns.exec("ip", "addr", "replace", cidr, "dev", dev, "nodad");
        } else {
            node.ns.exec("ip", "addr", "replace", cidr, "dev", dev);
        }
    }

    /**
     * Cryptokey routing (issue 4): b owns a whole range on our side, then a third peer is given b's own address as
     * a more specific prefix. Packets from b with that source must now be dropped by us (they no longer reach our
     * TUN: its rx counter stays put while b's TUN sent them), while b's other family still works; removing the third
     * peer gives the address back.
     */
    @ParameterizedTest(name = "inner IPv{0}")
    @ValueSource(ints = {4, 6})
    @Timeout(120)
    void sourceFilterDropsPacketsFromAnAddressAMoreSpecificPeerOwns(int family) {
        assertThat(WgPair.reachable(pair.b, WgPair.A_INNER4))
                .as("tunnel up%s", logs())
                .isTrue();
        int otherFamily = 10 - family;
        String third = WgNode.randomPublicKey();
        String wide = family == 4 ? "10.77.0.0/24" : "fd77:0:0:2::/64";
        String bOther = pair.inner(pair.b, otherFamily) + (otherFamily == 4 ? "/32" : "/128");
        String bOwn = pair.inner(pair.b, family) + (family == 4 ? "/32" : "/128");
        pair.a.set("peer", pair.b.publicKey, "allowed-ips", wide + "," + bOther);
        pair.a.set("peer", third, "allowed-ips", bOwn);

        WgNode.LinkCounters ourBefore = pair.a.linkCounters();
        WgNode.LinkCounters theirBefore = pair.b.linkCounters();
        assertThat(WgPair.ping(pair.b, pair.inner(pair.a, family), 3, false)[1])
                .as("IPv%d from b must be dropped", family)
                .isZero();
        WgNode.LinkCounters ourAfter = pair.a.linkCounters();
        assertThat(pair.b.linkCounters().txPackets() - theirBefore.txPackets())
                .as("b sent its pings into its tunnel")
                .isGreaterThanOrEqualTo(3);
        assertThat(ourAfter.rxPackets() - ourBefore.rxPackets())
                .as("none of them reached our TUN%s", logs())
                .isZero();

        assertThat(WgPair.reachable(pair.b, pair.inner(pair.a, otherFamily)))
                .as("IPv%d is still b's%s", otherFamily, logs())
                .isTrue();
        pair.a.set("peer", third, "remove");
        assertThat(WgPair.reachable(pair.b, pair.inner(pair.a, family)))
                .as("IPv%d is b's again once the third peer is gone", family)
                .isTrue();
    }
}
