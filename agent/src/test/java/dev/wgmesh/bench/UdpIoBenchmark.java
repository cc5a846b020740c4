package dev.wgmesh.bench;

import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.linux.LinuxUdp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One datagram through {@link LinuxUdp} on loopback: sendmsg with a sticky-source pktinfo cmsg, then recvmsg with
 * pktinfo parsing, into and out of heap arrays. Run with {@code -prof gc} to check the path allocates nothing.
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main UdpIoBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class UdpIoBenchmark {
    @Param({"1420"})
    int size;

    LinuxUdp a;
    LinuxUdp b;
    Endpoint toB;
    Endpoint from;
    byte[] out;
    byte[] in;

    @Setup(Level.Trial)
    public void open() throws IOException {
        a = new LinuxUdp();
        b = new LinuxUdp();
        a.bind(0);
        int port = b.bind(0);
        toB = Endpoint.of(new InetSocketAddress("127.0.0.1", port));
        toB.setSource(new byte[] {127, 0, 0, 1}, 0, 4, 0);
        from = new Endpoint();
        out = new byte[2048];
        in = new byte[2048];
    }

    @TearDown(Level.Trial)
    public void close() {
        a.close();
        b.close();
    }

    @Benchmark
    public int sendAndReceive() throws IOException {
        a.send(out, 16, size, toB);
        return b.receive(in, 16, in.length - 16, from);
    }
}
