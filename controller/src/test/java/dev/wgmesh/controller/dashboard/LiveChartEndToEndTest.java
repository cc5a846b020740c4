package dev.wgmesh.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.agentapi.AgentGrpcServer;
import dev.wgmesh.controller.agentapi.SimulatedAgent;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.support.TestAdmin;
import dev.wgmesh.proto.v1.Drops;
import dev.wgmesh.proto.v1.PeerStats;
import dev.wgmesh.proto.v1.StatsReport;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Two simulated agents enrol over real gRPC + TLS; the link page of one shows its history, and a chart grows when the
 * agent reports again (the sample reaches the browser through {@code /api/v1/events}).
 */
@IntegrationTest
class LiveChartEndToEndTest {
    @LocalServerPort
    int port;

    @Autowired
    AgentGrpcServer grpc;

    @Test
    void chartUpdatesFromAgentStats() throws Exception {
        ApiClient api = new ApiClient(port);
        UUID net = new Fixtures(api).network("10.88.0.0/24", null);
        try (SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpc.port(), "live-a");
                SimulatedAgent b = new SimulatedAgent("127.0.0.1", grpc.port(), "live-b");
                Browser browser = new Browser(port)) {
            a.enroll(SimulatedAgents.joinToken(api, net, null));
            b.enroll(SimulatedAgents.joinToken(api, net, null));
            a.connect();
            b.connect();
            a.await(
                    c -> c.getPeersList().stream()
                            .anyMatch(p -> p.getPublicKey().equals(ByteString.copyFrom(b.wireguardPublicKey()))),
                    Duration.ofSeconds(15));
            UUID aPeer = SimulatedAgents.peerId(api, net, a);
            UUID bPeer = SimulatedAgents.peerId(api, net, b);
            long now = System.currentTimeMillis();
            a.sendStats(report(b, now - 20_000, 0));
            String latest = "/api/v1/networks/" + net + "/peers/" + aPeer + "/stats/latest?remotePeerId=" + bPeer;
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (api.get(latest).status() != 200 && System.nanoTime() < until) {
                Thread.sleep(100);
            }

            browser.signIn(TestAdmin.USERNAME, TestAdmin.PASSWORD);
            browser.open("/networks/" + net + "/peers/" + aPeer + "?remote=" + bPeer);
            WebElement charts = browser.visible(By.cssSelector("[data-testid=charts]"));
            browser.waiting().until(d -> "1".equals(charts.getDomAttribute("data-samples")));
            browser.waiting().until(d -> browser.visible(By.cssSelector("[data-testid=live-status]"))
                    .getText()
                    .startsWith("live"));

            a.sendStats(report(b, System.currentTimeMillis(), 1));
            browser.waiting().until(d -> "2".equals(charts.getDomAttribute("data-samples")));
            WebElement latency = browser.visible(By.cssSelector("[data-chart=latency]"));
            assertThat(latency.getDomAttribute("data-points")).isEqualTo("2");
            assertThat(latency.getText()).contains("probe RTT");
            browser.screenshot("09-link-charts");
            assertThat(browser.errors(
                            m -> Browser.EXPECTED_FAILED_LOADS.matcher(m).matches()))
                    .isEmpty();
        }
    }

    /** A plausible sample; {@code step} moves the counters so the drop rate is non-zero. */
    private static StatsReport report(SimulatedAgent remote, long atMs, int step) {
        return StatsReport.newBuilder()
                .setTimeUnixMs(atMs)
                .addPeers(PeerStats.newBuilder()
                        .setPublicKey(ByteString.copyFrom(remote.wireguardPublicKey()))
                        .setRxBytes(1_000_000L + step * 5_000_000L)
                        .setTxBytes(2_000_000L + step * 9_000_000L)
                        .setLastHandshakeUnixMs(atMs - 15_000)
                        .setHandshakeRttUs(1_800 + step * 400)
                        .setProbeRttUs(900 + step * 300)
                        .setQueuePackets(3 + step * 20)
                        .setQueueBytes(4_000 + step * 30_000L)
                        .setSojournP50Us(400 + step * 200)
                        .setSojournP99Us(2_500 + step * 3_000)
                        .setSojournMaxUs(6_000 + step * 4_000)
                        .setDrops(Drops.newBuilder().setOverflow(10 + step * 40).setCodel(5 + step * 25)))
                .build();
    }
}
