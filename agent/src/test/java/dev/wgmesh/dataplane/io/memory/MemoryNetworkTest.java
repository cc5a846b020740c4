package dev.wgmesh.dataplane.io.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.io.Endpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemoryNetworkTest {
    private final MemoryNetwork net = new MemoryNetwork(16);
    private MemoryNetwork.Transport a;
    private MemoryNetwork.Transport b;
    private final byte[] buf = new byte[2048];
    private final Endpoint from = new Endpoint();

    @BeforeEach
    void setUp() throws IOException {
        a = net.newTransport("192.0.2.1");
        b = net.newTransport("192.0.2.2");
        assertThat(a.bind(51820)).isEqualTo(51820);
        assertThat(b.bind(0)).isPositive();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    private void send(MemoryNetwork.Transport t, int marker, Endpoint to) throws IOException {
        t.send(new byte[] {(byte) marker, 0, 0}, 0, 3, to);
    }

    private List<Integer> drain(MemoryNetwork.Transport t, int n) throws IOException {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            assertThat(t.receive(buf, 0, buf.length, from)).isEqualTo(3);
            got.add((int) buf[0]);
        }
        return got;
    }

    @Test
    void deliversWithSourceAndLocalAddress() throws IOException {
        a.send(new byte[] {7, 7, 7, 7, 7}, 1, 3, b.endpoint());
        assertThat(b.receive(buf, 5, 100, from)).isEqualTo(3);
        assertThat(buf[5]).isEqualTo((byte) 7);
        assertThat(from.toString()).isEqualTo("192.0.2.1:51820");
        assertThat(from.sourceLength()).isEqualTo(4);
        assertThat(from.sourceBytes()[3]).isEqualTo((byte) 2);
        // Reply to where it came from.
        send(b, 1, from);
        assertThat(drain(a, 1)).containsExactly(1);
    }

    @Test
    void unknownDestinationIsLost() throws IOException {
        send(a, 1, Endpoint.parse("192.0.2.9:1"));
        assertThat(net.lost()).isEqualTo(1);
    }

    @Test
    void dropDuplicateAndReorderOnDemand() throws IOException {
        Endpoint to = b.endpoint();
        net.dropNext(1);
        send(a, 1, to);
        net.duplicateNext(1);
        send(a, 2, to);
        net.reorderNext();
        send(a, 3, to);
        send(a, 4, to);
        send(a, 5, to);
        assertThat(drain(b, 5)).containsExactly(2, 2, 4, 3, 5);
        assertThat(net.lost()).isEqualTo(1);
    }

    @Test
    void interceptorAndSeededLoss() throws IOException {
        Endpoint to = b.endpoint();
        net.setInterceptor(
                (src, dst, p, off, len) -> p[off] == 9 ? MemoryNetwork.Verdict.DROP : MemoryNetwork.Verdict.DELIVER);
        send(a, 9, to);
        send(a, 8, to);
        assertThat(drain(b, 1)).containsExactly(8);
        net.setInterceptor(null);
        net.setLossRate(1.0, 1);
        send(a, 1, to);
        net.setLossRate(0, 1);
        send(a, 2, to);
        assertThat(drain(b, 1)).containsExactly(2);
    }

    @Test
    void fullInboxDropsAndCounts() throws IOException {
        Endpoint to = b.endpoint();
        for (int i = 0; i < 20; i++) {
            send(a, i, to);
        }
        assertThat(b.droppedOnReceive()).isEqualTo(4);
        assertThat(drain(b, 16)).first().isEqualTo(0);
    }

    @Test
    void rebindMovesThePortAndKeepsBlockedReceivers() throws Exception {
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return b.receive(new byte[100], 0, 100, new Endpoint());
            } catch (IOException ex) {
                throw new RuntimeException(ex);
            }
        });
        Endpoint old = b.endpoint();
        assertThat(b.bind(40000)).isEqualTo(40000);
        send(a, 1, old);
        assertThat(net.lost()).isEqualTo(1);
        send(a, 2, b.endpoint());
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(a.bind(40000)).as("same port, other address: no clash").isEqualTo(40000);
    }

    @Test
    void roamingChangesTheSourceAddress() throws IOException {
        a.roam("198.51.100.7");
        send(a, 1, b.endpoint());
        drain(b, 1);
        assertThat(from.toString()).isEqualTo("198.51.100.7:51820");
        send(b, 2, Endpoint.parse("192.0.2.1:51820"));
        assertThat(net.lost()).as("old address no longer answers").isEqualTo(1);
        send(b, 3, from);
        assertThat(drain(a, 1)).containsExactly(3);
    }

    @Test
    void ipv6Works() throws IOException {
        MemoryNetwork.Transport c = net.newTransport("fd00::1");
        MemoryNetwork.Transport d = net.newTransport("fd00::2");
        c.bind(1000);
        d.bind(1000);
        send(c, 4, d.endpoint());
        drain(d, 1);
        assertThat(from.toString()).isEqualTo("[fd00::1]:1000");
        c.close();
        d.close();
    }

    @Test
    void portInUseAndClosedTransport() throws IOException {
        MemoryNetwork.Transport c = net.newTransport("192.0.2.1");
        assertThatThrownBy(() -> c.bind(51820)).isInstanceOf(IOException.class).hasMessageContaining("in use");
        assertThatThrownBy(() -> send(c, 1, b.endpoint())).isInstanceOf(IOException.class);
        c.close();
        assertThat(c.receive(buf, 0, buf.length, from)).isEqualTo(-1);
        assertThatThrownBy(() -> c.bind(1)).isInstanceOf(IOException.class);
    }
}
