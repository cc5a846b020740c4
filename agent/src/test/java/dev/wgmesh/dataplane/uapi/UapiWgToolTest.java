package dev.wgmesh.dataplane.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.Cmd;
import dev.wgmesh.dataplane.netlab.NetLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real wg(8) tool against our UAPI server (in-memory device): setconf, showconf, set, error reporting, and the
 * scale cases of issue 4 (65,536 allowed IPs on one peer; 40 peers × 52 allowed IPs).
 */
@Timeout(120)
class UapiWgToolTest {
    @TempDir
    Path tmp;

    NetLab lab;
    String ifname;
    FakeDevice device;
    UapiServer server;

    @BeforeEach
    void start() throws IOException {
        lab = NetLab.create();
        ifname = lab.ifname("wgu");
        device = new FakeDevice();
        server = UapiServer.start(UapiServer.DEFAULT_DIRECTORY, ifname, device);
        lab.removeOnClose(server.socketPath());
    }

    @AfterEach
    void stop() {
        server.close();
        lab.close();
    }

    private Cmd.Result wg(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("wg"));
        cmd.addAll(List.of(args));
        return Cmd.run(Duration.ofSeconds(60), cmd, null);
    }

    private static String key() {
        return Cmd.run(List.of("wg", "genkey")).orThrow().out().trim();
    }

    private static String pub(String priv) {
        return Cmd.run(Duration.ofSeconds(10), List.of("wg", "pubkey"), priv + "\n")
                .orThrow()
                .out()
                .trim();
    }

    @Test
    void setconfThenShowconfRoundTrips() throws IOException {
        String priv = key();
        String peer = pub(key());
        String psk = Cmd.run(List.of("wg", "genpsk")).orThrow().out().trim();
        String conf = "[Interface]\nPrivateKey = " + priv + "\nListenPort = 51999\nFwMark = 0x1234\n\n"
                + "[Peer]\nPublicKey = " + peer + "\nPresharedKey = " + psk + "\n"
                + "AllowedIPs = 10.20.0.0/16, fd20::/64\nEndpoint = [2001:db8::7]:4500\nPersistentKeepalive = 21\n";
        Path file = Files.writeString(tmp.resolve("wg.conf"), conf);
        wg("setconf", ifname, file.toString()).orThrow();
        String shown = wg("showconf", ifname).orThrow().out();
        assertThat(shown)
                .contains("PrivateKey = " + priv)
                .contains("ListenPort = 51999")
                .contains("FwMark = 0x1234")
                .contains("PublicKey = " + peer)
                .contains("PresharedKey = " + psk)
                .contains("AllowedIPs = 10.20.0.0/16, fd20::/64")
                .contains("Endpoint = [2001:db8::7]:4500")
                .contains("PersistentKeepalive = 21");
        assertThat(wg("show", "interfaces").orThrow().out()).contains(ifname);
    }

    @Test
    void wgReportsOurErrnoAsTheRightMessage() {
        device.busyPort = 4444;
        Cmd.Result r = wg("set", ifname, "listen-port", "4444");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("Address already in use");
        assertThat(device.snapshot().listenPort()).isZero();
    }

    @Test
    void setconfWith65536AllowedIpsOnOnePeer() throws IOException {
        StringBuilder ips = new StringBuilder();
        for (int i = 0; i < 65536; i++) {
            ips.append(i == 0 ? "" : ", ")
                    .append("10.")
                    .append(i >> 8)
                    .append('.')
                    .append(i & 0xff)
                    .append(".0/24");
        }
        String peer = pub(key());
        Path file = Files.writeString(
                tmp.resolve("big.conf"),
                "[Interface]\nPrivateKey = " + key() + "\n\n[Peer]\nPublicKey = " + peer + "\nAllowedIPs = " + ips
                        + "\n");
        wg("setconf", ifname, file.toString()).orThrow();
        String out = wg("show", ifname, "allowed-ips").orThrow().out();
        String line = out.lines().filter(l -> l.startsWith(peer)).findFirst().orElseThrow();
        assertThat(line.substring(peer.length()).trim().split("\\s+")).hasSize(65536);
    }

    @Test
    void setconfWith40PeersOf52AllowedIpsEach() throws IOException {
        StringBuilder conf = new StringBuilder("[Interface]\nPrivateKey = " + key() + "\n");
        for (int p = 0; p < 40; p++) {
            conf.append("\n[Peer]\nPublicKey = ").append(pub(key())).append("\nAllowedIPs = ");
            for (int i = 0; i < 52; i++) {
                conf.append(i == 0 ? "" : ", ")
                        .append("10.")
                        .append(p)
                        .append('.')
                        .append(i)
                        .append(".0/24");
            }
            conf.append('\n');
        }
        Path file = Files.writeString(tmp.resolve("many.conf"), conf.toString());
        wg("setconf", ifname, file.toString()).orThrow();
        List<String> lines =
                wg("show", ifname, "allowed-ips").orThrow().out().lines().toList();
        assertThat(lines).hasSize(40);
        for (String l : lines) {
            assertThat(l.trim().split("\\s+")).hasSize(53); // key + 52 prefixes
        }
    }
}
