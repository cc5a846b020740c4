package dev.wgmesh.dataplane.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import dev.wgmesh.dataplane.netlab.Uapi;
import dev.wgmesh.dataplane.netlab.WgImpl;
import dev.wgmesh.dataplane.netlab.WgNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drop-in compatibility of the configuration interface: our daemon and real wireguard-go side by side in one
 * namespace, given the same input through the same tools, must answer the same. Issue 4: {@code wg setconf} at
 * scale lists every allowed IP, and malformed UAPI input answers with an errno — the one wireguard-go gives — and
 * changes nothing on our side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class UapiCompatTest {
    Path dir;
    NetLab lab;
    WgNode ours;
    WgNode ref;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("wgm-uapi-");
        lab = NetLab.create();
        try {
            Netns ns = lab.namespace("uapi");
            ours = new WgNode(lab, ns, lab.ifname("wgo"), WgImpl.WGMESH, dir).start();
            ref = new WgNode(lab, ns, lab.ifname("wgr"), WgImpl.WIREGUARD_GO, dir).start();
        } catch (Exception | Error e) {
            lab.close();
            throw e;
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    /** {@code wg setconf} the same file on both devices (each keeps its own private key). */
    private void setconfBoth(String peersSection) throws Exception {
        for (WgNode node : List.of(ours, ref)) {
            Path file = dir.resolve(node.ifname + "-setconf.conf");
            Files.writeString(file, "[Interface]\nPrivateKey = " + node.privateKey + "\n" + peersSection);
            node.wg("setconf", node.ifname, file.toString());
        }
    }

    /** {@code wg show IF allowed-ips} as peer → set of prefixes. */
    private static Map<String, Set<String>> allowedIps(WgNode node) {
        Map<String, Set<String>> byPeer = new LinkedHashMap<>();
        for (String line : node.wg("show", node.ifname, "allowed-ips").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            byPeer.put(f[0], new TreeSet<>(Arrays.asList(f).subList(1, f.length)));
        }
        return byPeer;
    }

    @Test
    void setconfWith65536AllowedIpsOnOnePeerListsThemAllAsWireguardGoDoes() throws Exception {
        String ips = java.util.stream.IntStream.range(0, 65536)
                .mapToObj(i -> "10." + (i >> 8) + "." + (i & 0xff) + ".0/24")
                .collect(java.util.stream.Collectors.joining(", "));
        String peer = WgNode.randomPublicKey();
        setconfBoth("\n[Peer]\nPublicKey = " + peer + "\nAllowedIPs = " + ips + "\n");
        Map<String, Set<String>> got = allowedIps(ours);
        assertThat(got.get(peer)).hasSize(65536).contains("10.0.0.0/24", "10.255.255.0/24");
        assertThat(got).isEqualTo(allowedIps(ref));
    }

    @Test
    void setconfWith40PeersOf52AllowedIpsListsThemAllAsWireguardGoDoes() throws Exception {
        StringBuilder conf = new StringBuilder();
        for (int p = 0; p < 40; p++) {
            conf.append("\n[Peer]\nPublicKey = ")
                    .append(WgNode.randomPublicKey())
                    .append("\nAllowedIPs = ");
            for (int i = 0; i < 52; i++) {
                conf.append(i == 0 ? "" : ", ")
                        .append(i % 2 == 0 ? "10." + p + "." + i + ".0/24" : "fd00:" + p + ":" + i + "::/48");
            }
            conf.append('\n');
        }
        setconfBoth(conf.toString());
        Map<String, Set<String>> got = allowedIps(ours);
        assertThat(got).hasSize(40).allSatisfy((peer, prefixes) -> assertThat(prefixes)
                .hasSize(52));
        assertThat(got).isEqualTo(allowedIps(ref));
    }

    /**
     * Each transaction starts with a valid change (a new listen port) and then has one bad line: both daemons must
     * reject it with the same errno, and ours must not have applied the valid part either (wireguard-go applies
     * lines as it parses them, so only its errno is compared).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "listen_port=70000",
                "private_key=not-hex",
                "public_key=PEER\nallowed_ip=10.0.0.0/33",
                "public_key=PEER\nallowed_ip=fd00::/129",
                "public_key=PEER\nallowed_ip=not-an-ip/8",
                "public_key=PEER\nendpoint=[fd00::1",
                "public_key=PEER\npersistent_keepalive_interval=-1",
                "public_key=PEER\nprotocol_version=2",
                "public_key=00ff",
                "no_such_key=1",
            })
    void malformedSetAnswersWireguardGosErrnoAndChangesNothing(String badLines) throws Exception {
        String peer = WgNode.randomPublicKey();
        setconfBoth("\n[Peer]\nPublicKey = " + peer + "\nAllowedIPs = 10.9.0.0/16\n");
        String before = Uapi.request(ours.ifname, "get=1\n\n", Duration.ofSeconds(10));
        String tx = "set=1\nlisten_port=43210\n" + badLines.replace("PEER", Uapi.hex(peer)) + "\n\n";

        int ourErrno = Uapi.errno(Uapi.request(ours.ifname, tx, Duration.ofSeconds(10)));
        int refErrno = Uapi.errno(Uapi.request(ref.ifname, tx, Duration.ofSeconds(10)));

        assertThat(ourErrno).as("our errno").isNegative();
        assertThat(ourErrno).as("errno vs wireguard-go's").isEqualTo(refErrno);
        assertThat(Uapi.request(ours.ifname, "get=1\n\n", Duration.ofSeconds(10)))
                .as("our configuration is unchanged")
                .isEqualTo(before);
    }
}
