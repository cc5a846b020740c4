package dev.wgmesh.bench;

import dev.wgmesh.dataplane.session.ReplayFilter;
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
 * The per-packet replay check: in-order counters (the common case), and counters reordered within a 64-packet
 * batch (parallel decryption finishing out of order). Run with {@code -prof gc}: allocation per op must be 0.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplayFilterBench {
    private final ReplayFilter inOrder = new ReplayFilter();
    private final ReplayFilter reordered = new ReplayFilter();
    private final int[] permutation = new int[64];
    private long counter;
    private long batch;
    private int slot;

    @Setup
    public void setUp() {
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 64; i++) {
            permutation[i] = i;
        }
        for (int i = 63; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
        }
    }

    @Benchmark
    public boolean acceptInOrder() {
        return inOrder.accept(counter++);
    }

    @Benchmark
    public boolean acceptReordered() {
        long c = batch + permutation[slot];
        if (++slot == 64) {
            slot = 0;
            batch += 64;
        }
        return reordered.accept(c);
    }
}
