package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Batched UDP on loopback: sendmmsg with UDP GSO runs, recvmmsg with UDP GRO split back, each datagram intact and
 * in order, with offloads on, off, and refused by the kernel (through the {@link LinuxUdp.Kernel} seam).
 */
@Timeout(30)
class LinuxUdpBatchTest {
    private final List<LinuxUdp> opened = new ArrayList<>();

    @AfterEach
    void tearDown() {
        opened.forEach(LinuxUdp::close);
    }

    private LinuxUdp udp(LinuxUdp.Options options, LinuxUdp.Kernel kernel) throws Exception {
        LinuxUdp u = new LinuxUdp(options, kernel);
        opened.add(u);
        u.bind(0);
        return u;
    }

    /** The kernel refusing every offload: UDP_GRO unknown, and any GSO send failing with EIO. */
    private static final class Refusing implements LinuxUdp.Kernel {
        int refusedSends;

        @Override
        public int enableGro(NativeContext ctx, int fd) {
            return -Libc.ENOPROTOOPT;
        }

        @Override
        public boolean gsoSupported(NativeContext ctx, int fd) {
            return true; // claims support, then fails the send: the harder case
        }

        @Override
        public int sendmmsg(NativeContext ctx, int fd, MemorySegment msgs, int vlen, boolean firstIsGso) {
            if (firstIsGso) {
                refusedSends++;
                return -Libc.EIO;
            }
            return Libc.sendmmsg(ctx, fd, msgs, vlen, 0);
        }
    }

    private static PacketBuffer[] datagrams(int count, int size, int lastSize) {
        PacketBuffer[] bufs = new PacketBuffer[count];
        for (int i = 0; i < count; i++) {
            int len = i == count - 1 ? lastSize : size;
            PacketBuffer b = PacketBuffer.unpooled(len + 64);
            b.offset = 16;
            b.length = len;
            for (int k = 0; k < len; k++) {
                b.data[16 + k] = (byte) (i * 31 + k);
            }
            bufs[i] = b;
        }
        return bufs;
    }

    /** Receives until {@code expected} datagrams arrived (or 5 s passed); returns them in arrival order. */
    private static List<byte[]> receiveAll(LinuxUdp rx, int expected, boolean batch) throws Exception {
        return receiveAll(rx, expected, batch, 65536);
    }

    /** As above, into batch buffers of {@code bufferSize} bytes. */
    private static List<byte[]> receiveAll(LinuxUdp rx, int expected, boolean batch, int bufferSize) throws Exception {
        List<byte[]> got = new ArrayList<>();
        PacketBuffer[] bufs = new PacketBuffer[128];
        Endpoint[] from = new Endpoint[128];
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = PacketBuffer.unpooled(bufferSize);
            from[i] = new Endpoint();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got.size() < expected && System.nanoTime() < deadline) {
            if (batch) {
                // Never blocks, so a datagram lost by a broken receiver fails the assertions after 5 s instead of
                // leaving the test waiting in recvmmsg (a native call that no interrupt ends).
                int n = rx.receiveBatchNow(bufs, from, bufs.length);
                if (n == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
                for (int i = 0; i < n; i++) {
                    assertThat(from[i].port()).isPositive();
                    got.add(Arrays.copyOfRange(bufs[i].data, bufs[i].offset, bufs[i].offset + bufs[i].length));
                }
            } else {
                byte[] buf = new byte[65536];
                int n = rx.receive(buf, 0, buf.length, from[0]);
                got.add(Arrays.copyOf(buf, n));
            }
        }
        return got;
    }

    private static void assertIntact(List<byte[]> got, PacketBuffer[] sent) {
        assertThat(got).hasSize(sent.length);
        for (int i = 0; i < sent.length; i++) {
            PacketBuffer b = sent[i];
            assertThat(got.get(i)).as("datagram %d", i).isEqualTo(Arrays.copyOfRange(b.data, 16, 16 + b.length));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void gsoRunsAndGroReceivesCarryEveryDatagramInOrder(String host) throws Exception {
        LinuxUdp tx = udp(LinuxUdp.Options.DEFAULT, LinuxUdp.Kernel.REAL);
        LinuxUdp rx = udp(LinuxUdp.Options.DEFAULT, LinuxUdp.Kernel.REAL);
        assertThat(tx.gsoEnabled()).isTrue();
        assertThat(rx.groEnabled()).isTrue();
        Endpoint to = Endpoint.of(new InetSocketAddress(host, rx.localPort()));
        PacketBuffer[] sent = datagrams(150, 1452, 333);
        Endpoint[] dest = new Endpoint[sent.length];
        Arrays.fill(dest, to);
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero();
        assertIntact(receiveAll(rx, sent.length, true), sent);
        assertThat(tx.gsoEnabled()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void datagramsLargerThanTheBuffersGrowThemAndArriveWhole(boolean offloads) throws Exception {
        LinuxUdp.Options options = offloads ? LinuxUdp.Options.DEFAULT : LinuxUdp.Options.PLAIN;
        LinuxUdp tx = udp(options, LinuxUdp.Kernel.REAL);
        LinuxUdp rx = udp(options, LinuxUdp.Kernel.REAL);
        Endpoint to = Endpoint.of(new InetSocketAddress("127.0.0.1", rx.localPort()));
        PacketBuffer[] sent = datagrams(12, 1400, 9000);
        sent[4] = datagrams(1, 9000, 9000)[0]; // one in the middle too, breaking a GSO run
        Endpoint[] dest = new Endpoint[sent.length];
        Arrays.fill(dest, to);
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero();
        assertIntact(receiveAll(rx, sent.length, true, 16 + 1504 + 32), sent); // pool buffers for a 1,500 MTU
        assertThat(rx.droppedOnReceive()).isZero();
    }

    @Test
    void singleReceiveSplitsACoalescedDatagram() throws Exception {
        LinuxUdp tx = udp(LinuxUdp.Options.DEFAULT, LinuxUdp.Kernel.REAL);
        LinuxUdp rx = udp(LinuxUdp.Options.DEFAULT, LinuxUdp.Kernel.REAL);
        Endpoint to = Endpoint.of(new InetSocketAddress("127.0.0.1", rx.localPort()));
        PacketBuffer[] sent = datagrams(20, 1000, 999);
        Endpoint[] dest = new Endpoint[sent.length];
        Arrays.fill(dest, to);
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero();
        assertIntact(receiveAll(rx, sent.length, false), sent);
    }

    @Test
    void mixedEndpointsAndSizesGoOutAsSeparateMessages() throws Exception {
        LinuxUdp tx = udp(LinuxUdp.Options.DEFAULT, LinuxUdp.Kernel.REAL);
        LinuxUdp rx1 = udp(LinuxUdp.Options.PLAIN, LinuxUdp.Kernel.REAL);
        LinuxUdp rx2 = udp(LinuxUdp.Options.PLAIN, LinuxUdp.Kernel.REAL);
        Endpoint e1 = Endpoint.of(new InetSocketAddress("127.0.0.1", rx1.localPort()));
        Endpoint e2 = Endpoint.of(new InetSocketAddress("::1", rx2.localPort()));
        PacketBuffer[] sent = datagrams(40, 700, 700);
        Endpoint[] dest = new Endpoint[sent.length];
        for (int i = 0; i < dest.length; i++) {
            dest[i] = (i / 3) % 2 == 0 ? e1 : e2;
            sent[i].length = 100 + (i % 5) * 100; // sizes vary inside runs too
        }
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero();
        List<byte[]> got1 = receiveAll(rx1, 21, true);
        List<byte[]> got2 = receiveAll(rx2, 19, true);
        int k1 = 0;
        int k2 = 0;
        for (int i = 0; i < sent.length; i++) {
            byte[] want = Arrays.copyOfRange(sent[i].data, 16, 16 + sent[i].length);
            assertThat(dest[i] == e1 ? got1.get(k1++) : got2.get(k2++)).isEqualTo(want);
        }
        assertThat(k1 + k2).isEqualTo(40);
    }

    @Test
    void refusedOffloadsFallBackToPlainDatagrams() throws Exception {
        Refusing kernel = new Refusing();
        LinuxUdp tx = udp(LinuxUdp.Options.DEFAULT, kernel);
        LinuxUdp rx = udp(LinuxUdp.Options.DEFAULT, kernel);
        assertThat(rx.groEnabled()).isFalse();
        assertThat(tx.gsoEnabled()).isTrue();
        Endpoint to = Endpoint.of(new InetSocketAddress("127.0.0.1", rx.localPort()));
        PacketBuffer[] sent = datagrams(100, 1200, 17);
        Endpoint[] dest = new Endpoint[sent.length];
        Arrays.fill(dest, to);
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero();
        assertThat(tx.gsoEnabled()).isFalse();
        assertThat(kernel.refusedSends).isEqualTo(1);
        assertIntact(receiveAll(rx, sent.length, true), sent);
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero(); // no second refusal: GSO stays off
        assertThat(kernel.refusedSends).isEqualTo(1);
        assertIntact(receiveAll(rx, sent.length, true), sent);
    }

    @Test
    void plainOptionsUseNoOffloads() throws Exception {
        LinuxUdp tx = udp(LinuxUdp.Options.PLAIN, LinuxUdp.Kernel.REAL);
        LinuxUdp rx = udp(LinuxUdp.Options.PLAIN, LinuxUdp.Kernel.REAL);
        assertThat(tx.gsoEnabled()).isFalse();
        assertThat(rx.groEnabled()).isFalse();
        Endpoint to = Endpoint.of(new InetSocketAddress("::1", rx.localPort()));
        PacketBuffer[] sent = datagrams(70, 1400, 1400);
        Endpoint[] dest = new Endpoint[sent.length];
        Arrays.fill(dest, to);
        assertThat(tx.sendBatch(sent, dest, sent.length)).isZero();
        assertIntact(receiveAll(rx, sent.length, true), sent);
    }

    @Test
    void reusePortLetsSeveralTransportsShareAPort() throws Exception {
        LinuxUdp first = udp(LinuxUdp.Options.DEFAULT.withReusePort(true), LinuxUdp.Kernel.REAL);
        LinuxUdp second = new LinuxUdp(LinuxUdp.Options.DEFAULT.withReusePort(true));
        opened.add(second);
        assertThat(second.bind(first.localPort())).isEqualTo(first.localPort());
    }
}
