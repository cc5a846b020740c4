package dev.wgmesh.dataplane.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.FakeClock;
import dev.wgmesh.dataplane.time.ManualScheduler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    @Test
    void servesPrometheusTextOnLoopback() throws Exception {
        Device device = new Device(
                new MemoryTun("wgm0", 1420),
                new MemoryNetwork().newTransport("192.0.2.9"),
                new ManualScheduler(new FakeClock()),
                DataPathMode.PARALLEL,
                1);
        device.start();
        try (device;
                MetricsServer server = MetricsServer.start(MetricsServer.parseAddress("127.0.0.1:0"), device, "wgm0");
                HttpClient http = HttpClient.newHttpClient()) {
            InetSocketAddress at = server.address();
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            assertThat(r.body())
                    .contains("# TYPE wgmesh_drops_total counter")
                    .contains("wgmesh_drops_total{interface=\"wgm0\",reason=\"auth_failure\"} 0")
                    .contains("wgmesh_priority_loans_total{interface=\"wgm0\"} 0")
                    .contains("wgmesh_worker_busy_seconds_total{interface=\"wgm0\",worker=\"0\"}");
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void badAddressesAndModesAreRejectedAtStart() {
        assertThat(MetricsServer.parseAddress("[::1]:9586").getPort()).isEqualTo(9586);
        for (String bad : List.of("9586", "localhost:9586", "127.0.0.1:99999", "127.0.0.1:x", ":1")) {
            assertThatThrownBy(() -> MetricsServer.parseAddress(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(MetricsServer.ENV);
        }
        assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of("WGMESH_DATAPATH", "fast")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fast");
        assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of(MetricsServer.ENV, "nowhere")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(DaemonOptions.parse(
                                List.of("wg0"), Map.of("WGMESH_DATAPATH", "inline", MetricsServer.ENV, "127.0.0.1:0"))
                        .interfaceName())
                .isEqualTo("wg0");
    }
}
