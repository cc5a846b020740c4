package dev.wgmesh.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.PeerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeTargetsTest {
    private static PeerConfig peer(int b, String name, boolean probe, String address) {
        byte[] key = new byte[32];
        key[0] = (byte) b;
        return PeerConfig.newBuilder()
                .setPublicKey(ByteString.copyFrom(key))
                .setName(name)
                .setProbe(probe)
                .setProbeAddress(address)
                .build();
    }

    private static String id(int b) {
        byte[] key = new byte[32];
        key[0] = (byte) b;
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void onlyProbedPeersWithTheirTunnelAddressAndTheProbePort() throws Exception {
        Map<String, InetSocketAddress> t = ProbeTargets.of(
                List.of(peer(1, "a", true, "10.99.0.1"), peer(2, "b", false, ""), peer(3, "c", true, "fd00::3")),
                51821);
        assertThat(t)
                .containsOnlyKeys(id(1), id(3))
                .containsEntry(id(1), new InetSocketAddress(InetAddress.getByName("10.99.0.1"), 51821))
                .containsEntry(id(3), new InetSocketAddress(InetAddress.getByName("fd00::3"), 51821));
    }

    @Test
    void badProbeAddressNamesThePeer() {
        assertThatThrownBy(() -> ProbeTargets.of(List.of(peer(1, "branch", true, "probe.example")), 51821))
                .hasMessageContaining("peer 'branch' probe_address");
        assertThatThrownBy(() -> ProbeTargets.of(List.of(peer(1, "branch", true, "")), 51821))
                .hasMessageContaining("probe_address");
    }

    @Test
    void appliesAdditionsAndRemovalsToAProber() throws Exception {
        try (LatencyProber prober = new LatencyProber(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                LatencyProber.Settings.forReportInterval(Duration.ofSeconds(10)))) {
            ProbeTargets.apply(
                    prober,
                    ProbeTargets.of(List.of(peer(1, "a", true, "127.0.0.9"), peer(2, "b", true, "127.0.0.10")), 9));
            assertThat(prober.peers()).containsExactlyInAnyOrder(id(1), id(2));
            ProbeTargets.apply(prober, ProbeTargets.of(List.of(peer(2, "b", true, "127.0.0.11")), 9));
            assertThat(prober.peers()).containsExactly(id(2));
        }
    }
}
