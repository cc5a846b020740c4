package dev.wgmesh.dataplane.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.Cmd;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import dev.wgmesh.dataplane.netlab.WgImpl;
import dev.wgmesh.dataplane.netlab.WgNode;
import dev.wgmesh.dataplane.netlab.WgPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our daemon driven by the stock tools: {@code wg-quick up/down} with WG_QUICK_USERSPACE_IMPLEMENTATION pointing
 * at it (through the daemonizing path, as wg-quick runs it), SIGTERM, and the launcher's error path.
 */
@Timeout(300)
class WgQuickTest {
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

    /** A launcher like bin/wgmesh-wg, but on the test classpath (the jar is built after the tests run). */
    private Path launcher() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String script = "#!/bin/sh\nexec " + java + " --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' dev.wgmesh.dataplane.daemon.WgDaemon \"$@\"\n";
        Path p = dir.resolve("wgmesh-wg-test");
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /**
     * wg-quick brings our daemon up from a config file with a preshared key, both inner families and the MTU, and
     * takes it down again; the peer is real wireguard-go or our daemon, over IPv4 or IPv6 outer transport.
     */
    @ParameterizedTest(name = "against {0}, outer IPv{1}")
    @CsvSource({"WIREGUARD_GO,4", "WIREGUARD_GO,6", "WGMESH,4", "WGMESH,6"})
    void wgQuickUpAndDownWithOurDaemon(WgImpl peer, int outer) throws Exception {
        Assumptions.assumeFalse(
                Files.exists(Path.of("/sys/module/wireguard")),
                "this kernel has WireGuard built in, so wg-quick would not use a userspace implementation");
        Netns nsA = lab.namespace("qa");
        Netns nsB = lab.namespace("qb");
        String vethA = lab.ifname("va");
        String vethB = lab.ifname("vb");
        lab.veth(nsA, vethA, nsB, vethB);
        if (outer == 6) {
            nsA.ok("ip", "addr", "add", WgPair.A_OUTER6 + "/64", "dev", vethA, "nodad");
            nsB.ok("ip", "addr", "add", WgPair.B_OUTER6 + "/64", "dev", vethB, "nodad");
        } else {
            nsA.ok("ip", "addr", "add", WgPair.A_OUTER4 + "/24", "dev", vethA);
            nsB.ok("ip", "addr", "add", WgPair.B_OUTER4 + "/24", "dev", vethB);
        }
        String endA = outer == 6 ? "[" + WgPair.A_OUTER6 + "]:51820" : WgPair.A_OUTER4 + ":51820";
        String endB = outer == 6 ? "[" + WgPair.B_OUTER6 + "]:51821" : WgPair.B_OUTER4 + ":51821";
        Path psk = WgPair.pskFile(dir);
        WgNode b = new WgNode(lab, nsB, lab.ifname("wgb"), peer, dir).start();
        String ifA = lab.ifname("wq");
        String privA = Cmd.run(List.of("wg", "genkey")).orThrow().out().trim();
        String pubA = WgNode.publicKeyOf(privA);
        b.set(
                "private-key",
                b.keyFile.toString(),
                "listen-port",
                "51821",
                "peer",
                pubA,
                "preshared-key",
                psk.toString(),
                "allowed-ips",
                WgPair.A_INNER4 + "/32," + WgPair.A_INNER6 + "/128",
                "endpoint",
                endA);
        b.up(1420, WgPair.B_INNER4 + "/24", WgPair.B_INNER6 + "/64");
        Path conf = dir.resolve(ifA + ".conf");
        Files.writeString(
                conf,
                "[Interface]\nPrivateKey = " + privA + "\nAddress = " + WgPair.A_INNER4 + "/24, " + WgPair.A_INNER6
                        + "/64\nListenPort = 51820\nMTU = 1420\n\n[Peer]\nPublicKey = " + b.publicKey
                        + "\nPresharedKey = " + Files.readString(psk).trim() + "\nAllowedIPs = "
                        + WgPair.B_INNER4 + "/32, " + WgPair.B_INNER6 + "/128\nEndpoint = " + endB + "\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        Path sock = NetLab.uapiSocket(ifA);
        lab.removeOnClose(sock);
        String impl = launcher().toString();

        Cmd.Result up = Cmd.run(
                Duration.ofSeconds(90),
                nsA.wrap(
                        List.of("env", "WG_QUICK_USERSPACE_IMPLEMENTATION=" + impl, "wg-quick", "up", conf.toString())),
                null);
        assertThat(up.exit()).as("wg-quick up: %s%s", up.out(), up.err()).isZero();
        assertThat(up.err()).contains("Falling back to slow userspace implementation");
        assertThat(sock).exists();
        assertThat(nsA.ok("wg", "show", ifA)).contains("peer: " + b.publicKey).contains("listening port: 51820");
        assertThat(nsA.ok("ip", "link", "show", ifA)).contains("mtu 1420");
        assertThat(WgPair.reachable(b, WgPair.A_INNER4))
                .as("IPv4 through the wg-quick interface")
                .isTrue();
        assertThat(WgPair.reachable(nsA, WgPair.B_INNER6))
                .as("IPv6 from the wg-quick interface")
                .isTrue();

        Cmd.Result down = Cmd.run(
                Duration.ofSeconds(60),
                nsA.wrap(List.of(
                        "env", "WG_QUICK_USERSPACE_IMPLEMENTATION=" + impl, "wg-quick", "down", conf.toString())),
                null);
        assertThat(down.exit())
                .as("wg-quick down: %s%s", down.out(), down.err())
                .isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((Files.exists(sock)
                        || !Cmd.run(List.of("ip", "netns", "pids", nsA.name()))
                                .out()
                                .isBlank())
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(sock).as("socket removed by the exiting daemon").doesNotExist();
        assertThat(Cmd.run(List.of("ip", "netns", "pids", nsA.name())).out())
                .as("daemon exited")
                .isBlank();
        assertThat(nsA.exec("ip", "link", "show", ifA).exit()).isNotZero();
    }

    @Test
    void sigtermShutsDownCleanlyAndRemovesTheSocket() throws Exception {
        Netns ns = lab.namespace("sig");
        WgNode node = new WgNode(lab, ns, lab.ifname("wgk"), WgImpl.WGMESH, dir).start();
        Path sock = NetLab.uapiSocket(node.ifname);
        assertThat(sock).exists();
        node.process().destroy(); // SIGTERM
        assertThat(node.process().waitFor(15, java.util.concurrent.TimeUnit.SECONDS))
                .isTrue();
        assertThat(node.process().exitValue()).as("exit code%s", node.logText()).isZero();
        assertThat(sock).doesNotExist();
        assertThat(ns.exec("ip", "link", "show", node.ifname).exit()).isNotZero();
    }

    @Test
    void daemonizingLauncherReportsFailureWithAnError() throws Exception {
        Netns ns = lab.namespace("qf");
        // a name the kernel refuses for a TUN ("wgX" exists as a veth already)
        String taken = lab.ifname("vt");
        String other = lab.ifname("vo");
        lab.veth(ns, taken, ns, other);
        Cmd.Result r =
                Cmd.run(Duration.ofSeconds(60), ns.wrap(List.of(launcher().toString(), taken)), null);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("failed to bring up " + taken);
    }
}
