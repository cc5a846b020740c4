package dev.wgmesh.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.agent.metrics.StatsSource;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.proto.v1.Capability;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.PeerStats;
import dev.wgmesh.proto.v1.StatsReport;
import dev.wgmesh.proto.v1.WorkerStats;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's StatsReport and Prometheus samples carry the data plane's real figures: traffic through two devices on
 * the parallel (FQ-CoDel) path shows up as bytes, handshake time, sojourn percentiles, queue depth, drops by reason
 * and worker busy time.
 */
@Timeout(60)
class DeviceQueueStatsTest {
    @TempDir
    Path dir;

    private TwoAgentNodes nodes;

    @AfterEach
    void close() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static PeerStats peer(StatsReport r, byte[] key) {
        return r.getPeersList().stream()
                .filter(p -> p.getPublicKey().equals(ByteString.copyFrom(key)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no stats for the peer in " + r));
    }

    @Test
    void trafficThroughTheParallelPathIsReportedPerPeer() throws Exception {
        nodes = new TwoAgentNodes(dir, DataPathMode.PARALLEL);
        TwoAgentNodes.Node a = nodes.a;
        TwoAgentNodes.Node b = nodes.b;
        nodes.connect();
        long before = System.currentTimeMillis();
        for (int i = 0; i < 100; i++) { // sent before a session exists: they wait in a's queue for the handshake
            a.send(b.inner, 1000);
        }
        int received = 0;
        while (received < 100 && b.tun.collect(1, java.util.concurrent.TimeUnit.SECONDS) != null) {
            received++; // CoDel may drop some when the handshake takes longer than its interval (loaded machine)
        }
        a.send("10.77.0.1", 100); // no peer's allowed IPs: a no_route drop
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (a.stats.report().getInterfaceStats().getDrops().getNoRoute() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }

        StatsReport r = a.stats.report();
        PeerStats p = peer(r, b.publicKey);
        assertThat(received).isGreaterThanOrEqualTo(50);
        assertThat(received + p.getDrops().getCodel() + p.getDrops().getOverflow())
                .as("every packet delivered or counted as dropped by its queue")
                .isEqualTo(100);
        assertThat(p.getTxBytes()).isGreaterThan(received * 1000L);
        assertThat(p.getRxBytes()).as("b's handshake response and keepalive").isPositive();
        assertThat(p.getLastHandshakeUnixMs()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
        assertThat(p.getEndpoint()).isEqualTo("192.0.2.2:51820");
        assertThat(p.getSojournP50Us()).as("packets waited for the handshake").isPositive();
        assertThat(p.getSojournP99Us()).isGreaterThanOrEqualTo(p.getSojournP50Us());
        assertThat(p.getSojournMaxUs()).isGreaterThanOrEqualTo(p.getSojournP99Us());
        assertThat(p.getQueuePackets()).isZero();
        assertThat(r.getInterfaceStats().getDrops().getNoRoute()).isEqualTo(1);
        assertThat(r.getInterfaceStats().getTxBytes()).isEqualTo(p.getTxBytes());
        assertThat(r.getWorkersList()).hasSize(2);
        assertThat(r.getWorkersList().stream()
                        .mapToLong(WorkerStats::getPackets)
                        .sum())
                .isGreaterThanOrEqualTo(received);
        assertThat(r.getWorkersList().stream().mapToLong(WorkerStats::getBusyNs).sum())
                .isPositive();
        assertThat(new DeviceQueueStats(a.device).available()).isTrue();
        assertThat(SyncClient.capabilities(false, true)).contains(Capability.CAPABILITY_QUEUE_STATS);

        StatsSource.PeerSample s = a.stats.peers().get(0);
        assertThat(s.name()).isEqualTo("site-b");
        assertThat(s.txBytes()).isEqualTo(p.getTxBytes());
        assertThat(s.sojournP50Micros()).isEqualTo(p.getSojournP50Us());
    }

    @Test
    void aPeerThatCannotBeReachedShowsItsBacklogAndOverflowDrops() throws Exception {
        nodes = new TwoAgentNodes(dir, DataPathMode.PARALLEL);
        TwoAgentNodes.Node a = nodes.a;
        byte[] silent = X25519.publicKey(Keys.generatePrivateKey());
        a.run(
                1,
                PeerConfig.newBuilder() // no endpoint: no handshake, packets wait in its queue until it overflows
                        .setPublicKey(ByteString.copyFrom(silent))
                        .addAllowedIps("10.99.0.9/32")
                        .build());
        a.device.start();
        int sent = 3000;
        for (int i = 0; i < sent; i++) {
            a.send("10.99.0.9", 1400);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        StatsReport r;
        PeerStats p;
        do { // every packet is either in the peer's queue or counted as an overflow drop (queue or hand-off)
            Thread.sleep(20);
            r = a.stats.report();
            p = peer(r, silent);
        } while (p.getQueuePackets() + r.getInterfaceStats().getDrops().getOverflow() < sent
                && System.nanoTime() < deadline);
        assertThat(p.getQueuePackets()).as("backlog").isPositive();
        assertThat(p.getQueueBytes()).isGreaterThanOrEqualTo(p.getQueuePackets() * 1400L);
        assertThat(p.getDrops().getOverflow()).as("the peer's queue overflowed").isPositive();
        assertThat(r.getInterfaceStats().getDrops().getOverflow())
                .isGreaterThanOrEqualTo(p.getDrops().getOverflow());
        assertThat(p.getQueuePackets() + r.getInterfaceStats().getDrops().getOverflow())
                .isEqualTo(sent);
        assertThat(a.stats.peers().get(0).queuePackets()).isEqualTo(p.getQueuePackets());
    }

    @Test
    void theInlinePathReportsItsOwnQueuesAndNoWorkers() throws Exception {
        nodes = new TwoAgentNodes(dir, DataPathMode.INLINE);
        nodes.connect();
        nodes.a.send(nodes.b.inner, 500); // waits for the handshake in the staging queue
        assertThat(nodes.b.receive()).isNotNull();
        nodes.a.send(nodes.b.inner, 500); // with a session: through a's queue
        assertThat(nodes.b.receive()).isNotNull();
        StatsReport r = nodes.a.stats.report();
        PeerStats p = peer(r, nodes.b.publicKey);
        assertThat(p.getTxBytes()).isPositive();
        assertThat(p.getQueuePackets()).as("sent, so nothing left queued").isZero();
        assertThat(r.getWorkersList()).as("no crypto workers inline").isEmpty();
        DeviceQueueStats queues = new DeviceQueueStats(nodes.a.device);
        assertThat(queues.available()).isTrue();
        assertThat(queues.peers()).as("the peer's inline queue").containsKey(ByteString.copyFrom(nodes.b.publicKey));
    }
}
