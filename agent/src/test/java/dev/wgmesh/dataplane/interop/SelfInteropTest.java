package dev.wgmesh.dataplane.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.WgImpl;
import dev.wgmesh.dataplane.netlab.WgPair;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our daemon against itself (issue 4 asks for interop "against real wireguard-go and against itself"): two wgmesh
 * daemons in two network namespaces, configured with the stock {@code wg} tool, with a preshared key, over IPv4 and
 * IPv6 outer transport, carrying IPv4 and IPv6 inside.
 */
class SelfInteropTest {
    private NetLab lab;

    @BeforeEach
    void setUp() {
        lab = NetLab.create();
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    @ParameterizedTest(name = "outer IPv{0}, PSK")
    @ValueSource(ints = {4, 6})
    void twoWgmeshDaemonsHandshakeAndCarryBothFamiliesWithoutLoss(int outer, @org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        WgPair pair = WgPair.create(lab, dir, WgImpl.WGMESH, WgImpl.WGMESH, outer == 6, WgPair.pskFile(dir), 1420);
        String logs = "\n--- a ---\n" + pair.a.logText() + "\n--- b ---\n" + pair.b.logText();
        assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4))
                .as("a → b v4%s", logs)
                .isTrue();
        assertThat(WgPair.reachable(pair.b, WgPair.A_INNER6)).as("b → a v6").isTrue();
        assertThat(WgPair.ping(pair.a, WgPair.B_INNER4, 1000, true))
                .as("1,000 rapid pings a → b")
                .containsExactly(1000, 1000);
        assertThat(WgPair.ping(pair.b, WgPair.A_INNER6, 1000, true))
                .as("1,000 rapid pings b → a over IPv6 inside")
                .containsExactly(1000, 1000);
        String endpoint = pair.a.wg("show", pair.a.ifname, "endpoints").trim();
        assertThat(endpoint).endsWith(outer == 6 ? "[" + WgPair.B_OUTER6 + "]:51821" : WgPair.B_OUTER4 + ":51821");
    }
}
