package dev.wgmesh.bench;

import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.routing.AllowedIps;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Longest-prefix match as the send path does it: the destination address read in place from a packet buffer.
 * Shapes: 40 peers × 52 prefixes (a mid-size mesh) and one peer with 65,536 prefixes (the scale test's worst
 * case). Run with {@code -prof gc}: allocation per operation must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AllowedIpsBench {
    private static final int ADDRESSES = 1024;

    @Param({"40x52", "1x65536"})
    public String shape;

    private AllowedIps<Object> table;
    /** Packet-like buffers: IPv4 destination at offset 16 of a 20-byte header, IPv6 at 24 of 40. */
    private byte[] v4Packets;

    private byte[] v6Packets;
    private int next;

    @Setup
    public void setUp() {
        Random rnd = new Random(1);
        table = new AllowedIps<>();
        String[] parts = shape.split("x");
        int peers = Integer.parseInt(parts[0]);
        int perPeer = Integer.parseInt(parts[1]);
        byte[][] v4 = new byte[peers * perPeer][];
        byte[][] v6 = new byte[peers * perPeer][];
        for (int p = 0; p < peers; p++) {
            Object peer = new Object();
            for (int i = 0; i < perPeer; i++) {
                int n = p * perPeer + i;
                byte[] a4 = new byte[4];
                rnd.nextBytes(a4);
                a4[0] = 10;
                byte[] a6 = new byte[16];
                rnd.nextBytes(a6);
                a6[0] = (byte) 0xfd;
                // Alternate halves so the tables hold v4 /24../32 and v6 /48../128 prefixes.
                if (i % 2 == 0) {
                    table.insert(new IpPrefix(a4, 24 + rnd.nextInt(9)), peer);
                } else {
                    table.insert(new IpPrefix(a6, 48 + rnd.nextInt(81)), peer);
                }
                v4[n] = a4;
                v6[n] = a6;
            }
        }
        v4Packets = new byte[ADDRESSES * 20];
        v6Packets = new byte[ADDRESSES * 40];
        for (int i = 0; i < ADDRESSES; i++) {
            byte[] a4 = v4[rnd.nextInt(v4.length)];
            byte[] a6 = v6[rnd.nextInt(v6.length)];
            System.arraycopy(a4, 0, v4Packets, i * 20 + 16, 4);
            System.arraycopy(a6, 0, v6Packets, i * 40 + 24, 16);
        }
    }

    @Benchmark
    public Object lookupIpv4() {
        int i = next++ & (ADDRESSES - 1);
        return table.lookup(v4Packets, i * 20 + 16, 4);
    }

    @Benchmark
    public Object lookupIpv6() {
        int i = next++ & (ADDRESSES - 1);
        return table.lookup(v6Packets, i * 40 + 24, 16);
    }
}
