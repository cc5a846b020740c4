package dev.wgmesh.dataplane.netlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: wireguard-go ↔ wireguard-go through WgPair passes traffic, and everything is cleaned up. */
@Timeout(120)
class NetLabSelfTest {
    @TempDir
    Path dir;

    @Test
    void referencePairPassesTrafficAndLabCleansUp() throws Exception {
        String nsName;
        String sock;
        try (NetLab lab = NetLab.create()) {
            WgPair pair = WgPair.create(lab, dir, WgImpl.WIREGUARD_GO, WgImpl.WIREGUARD_GO, false, null, 1420);
            assertThat(WgPair.reachable(pair.a, WgPair.B_INNER4)).isTrue();
            nsName = pair.a.ns.name();
            sock = NetLab.uapiSocket(pair.a.ifname).toString();
        }
        assertThat(Cmd.run(java.util.List.of("ip", "netns", "list")).out()).doesNotContain(nsName);
        assertThat(Path.of(sock)).doesNotExist();
    }
}
