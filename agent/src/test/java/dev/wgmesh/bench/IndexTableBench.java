package dev.wgmesh.bench;

import dev.wgmesh.dataplane.session.IndexTable;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Receiver-index lookup for every incoming transport packet, with 3 keypairs for each of 1,000 peers registered;
 * half the probes miss (forged or stale indices). Run with {@code -prof gc}: allocation per op must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class IndexTableBench {
    private final IndexTable<Object> table = new IndexTable<>(new Random(9));
    private final int[] probes = new int[4096];
    private int next;

    @Setup
    public void setUp() {
        Random rnd = new Random(10);
        int[] live = new int[3000];
        for (int i = 0; i < live.length; i++) {
            live[i] = table.register(new Object());
        }
        for (int i = 0; i < probes.length; i++) {
            probes[i] = i % 2 == 0 ? live[rnd.nextInt(live.length)] : rnd.nextInt();
        }
    }

    @Benchmark
    public Object lookup() {
        return table.lookup(probes[next++ & (probes.length - 1)]);
    }
}
