package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The inline modes' own FQ-CoDel ({@link InlineQueues}) through whole devices over the in-memory TUN and network. A
 * slow wire (each transport datagram from a takes a millisecond to send, on a's TUN reader) makes a's reader the
 * bottleneck: it drains the TUN into its queues between rounds, so a sparse packet read after a backlog of bulk
 * packets is sent in the next round, not after the backlog — while the bulk flow's own order and the counters on
 * the wire stay strictly increasing (counters are taken as packets leave the queue), and only CoDel drops.
 */
class InlineQueuesTest {
    private static final int BULK = 400;
    private static final int SPARSE = 1_000_000;

    private TwoDevices net;

    @AfterEach
    void close() {
        if (net != null) {
            net.close();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = DataPathMode.class,
            names = {"INLINE", "PER_FLOW"})
    void aSparsePacketOvertakesABacklogAndCountersStayInSendOrder(DataPathMode mode) throws Exception {
        net = new TwoDevices(mode);
        TwoDevices.Node a = net.a;
        TwoDevices.Node b = net.b;
        net.configureBoth(null);
        a.send(b, ParallelDataPathTest.numbered(-1, 1000)); // the session first, so nothing waits for the handshake
        assertThat(b.receive()).isNotNull();

        List<Long> wire = new ArrayList<>();
        net.net.setInterceptor((from, to, buf, off, len) -> {
            if (buf[off] == WireGuardSpec.TYPE_TRANSPORT && from.toString().startsWith("192.0.2.1")) {
                synchronized (wire) {
                    wire.add(TransportMessage.counter(buf, off));
                }
                LockSupport.parkNanos(1_000_000L); // a slow wire, on a's sending thread
            }
            return MemoryNetwork.Verdict.DELIVER;
        });
        for (int i = 0; i < BULK; i++) {
            a.send(b, ParallelDataPathTest.numbered(i, 1200));
        }
        a.send(b, sparse());

        int bulkBefore = 0;
        int bulkAfter = 0;
        int last = -1;
        boolean sparseSeen = false;
        for (byte[] got = b.receive(); got != null; got = b.receiveNothing()) {
            int seq = ParallelDataPathTest.seqOf(got);
            if (seq == SPARSE) {
                sparseSeen = true;
                continue;
            }
            assertThat(seq).as("bulk flow in order; %s", net.describe()).isGreaterThan(last);
            last = seq;
            if (sparseSeen) {
                bulkAfter++;
            } else {
                bulkBefore++;
            }
        }
        assertThat(sparseSeen).as("sparse packet delivered; %s", net.describe()).isTrue();
        // FIFO would deliver it last (400 before it); a's reader drains the TUN (up to four batches of 128) before
        // each round of 64, so it holds the sparse one after at most a round or two were sent and sends it next.
        assertThat(bulkAfter)
                .as("bulk packets delivered after the sparse one (%d before)", bulkBefore)
                .isGreaterThan(100);
        PeerStatistics stats = a.device.peerStatistics().get(0);
        assertThat(stats.queue()).as("a's transmit queue statistics").isNotNull();
        // 400 ms of backlog is over CoDel's interval: it may drop bulk packets (never the sparse one), nothing else
        assertThat(bulkBefore + bulkAfter + stats.queue().dropsCodel()).isEqualTo(BULK);
        synchronized (wire) {
            assertThat(wire).hasSize(bulkBefore + bulkAfter + 1);
            for (int i = 1; i < wire.size(); i++) {
                assertThat(wire.get(i)).as("counter %d on the wire", i).isGreaterThan(wire.get(i - 1));
            }
        }
        assertThat(b.device.peerStatistics().get(0).receiveQueue()).isNotNull();
        assertThat(a.drops(DropReason.REPLAY) + b.drops(DropReason.REPLAY)).isZero();
    }

    /** One datagram of another flow (other ports) carrying {@link #SPARSE}. */
    private static byte[] sparse() {
        byte[] p = ParallelDataPathTest.numbered(SPARSE, 40);
        p[1] = 0x40; // source port 12352
        p[3] = 0x41; // destination port 12353
        return p;
    }
}
