package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The inline modes' own FQ-CoDel ({@link InlineQueues}) through whole devices over the in-memory TUN and network. A
 * slow wire (each transport datagram from a takes a millisecond to send, on a's TUN reader) makes a's reader the
 * bottleneck: it drains the TUN into its queues between rounds, so a sparse packet read after a backlog of bulk
 * packets is sent in the next round, not after the backlog — while the bulk flow's own order and the counters on
 * the wire stay strictly increasing (counters are taken as packets leave the queue), and only CoDel drops.
 *
 * <p>The receiver likewise drains its socket into its queues before decrypting a round, even when every read
 * returns only a couple of datagrams, as a read of coalesced UDP GRO messages does: a receiver that stopped at the
 * first short read left the backlog in the socket's buffer, a FIFO of megabytes, with a ping behind a whole flood.
 */
class InlineQueuesTest {
    private static final int BULK = 400;
    private static final int SPARSE = 1_000_000;
    private static final int DRAINED_BULK = 300;

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

    @Test
    void aSmallMessageBehindABacklogInTheSocketIsDeliveredFirstWithShortReads() throws Exception {
        ShortReads[] bWire = new ShortReads[1];
        net = new TwoDevices(DataPathMode.INLINE, udp -> bWire[0] = new ShortReads(udp));
        TwoDevices.Node a = net.a;
        TwoDevices.Node b = net.b;
        net.configureBoth(null);
        a.send(b, ParallelDataPathTest.numbered(-1, 1000)); // the session first
        assertThat(b.receive()).isNotNull();

        AtomicInteger onWire = new AtomicInteger();
        net.net.setInterceptor((from, to, buf, off, len) -> {
            if (buf[off] == WireGuardSpec.TYPE_TRANSPORT && from.toString().startsWith("192.0.2.1")) {
                onWire.incrementAndGet();
            }
            return MemoryNetwork.Verdict.DELIVER;
        });
        bWire[0].hold = true; // b's receiver keeps what it read next until released: the rest waits in its socket
        for (int i = 0; i < DRAINED_BULK; i++) {
            a.send(b, ParallelDataPathTest.numbered(i, 1200));
        }
        TwoDevices.await(() -> onWire.get() == DRAINED_BULK, "the bulk packets on the wire");
        a.send(b, sparse()); // behind all of them in b's socket
        TwoDevices.await(() -> onWire.get() == DRAINED_BULK + 1, "the sparse packet on the wire");
        bWire[0].hold = false;

        int bulkBefore = 0;
        int bulkAfter = 0;
        boolean sparseSeen = false;
        for (byte[] got = b.receive(); got != null; got = b.receiveNothing()) {
            if (ParallelDataPathTest.seqOf(got) == SPARSE) {
                sparseSeen = true;
            } else if (sparseSeen) {
                bulkAfter++;
            } else {
                bulkBefore++;
            }
        }
        assertThat(sparseSeen).as("sparse packet delivered; %s", net.describe()).isTrue();
        assertThat(bulkBefore + bulkAfter)
                .as("every bulk packet delivered; %s", net.describe())
                .isEqualTo(DRAINED_BULK);
        // Reading stops at 512 datagrams or an empty socket, then a round of 64 is decrypted, small messages first;
        // a receiver that stopped at a short read would deliver in FIFO order (the sparse one last).
        assertThat(bulkBefore)
                .as("bulk packets delivered before the sparse one")
                .isLessThan(DRAINED_BULK / 10);
    }

    /** One datagram of another flow (other ports) carrying {@link #SPARSE}. */
    private static byte[] sparse() {
        byte[] p = ParallelDataPathTest.numbered(SPARSE, 40);
        p[1] = 0x40; // source port 12352
        p[3] = 0x41; // destination port 12353
        return p;
    }

    /** Reads of at most two datagrams (as GRO reads of two coalesced messages), optionally held before returning. */
    private static final class ShortReads extends ForwardingUdp {
        private static final int PER_READ = 2;
        volatile boolean hold;

        ShortReads(UdpTransport wire) {
            super(wire);
        }

        @Override
        public int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
            return heldWhileAsked(wire.receiveBatch(bufs, from, Math.min(count, PER_READ)));
        }

        @Override
        public int receiveBatchNow(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
            return heldWhileAsked(wire.receiveBatchNow(bufs, from, Math.min(count, PER_READ)));
        }

        private int heldWhileAsked(int n) {
            while (hold) {
                LockSupport.parkNanos(1_000_000L);
            }
            return n;
        }
    }
}
