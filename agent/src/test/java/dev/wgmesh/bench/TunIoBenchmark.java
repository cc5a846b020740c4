package dev.wgmesh.bench;

import dev.wgmesh.dataplane.linux.Libc;
import dev.wgmesh.dataplane.linux.LibcAccess;
import dev.wgmesh.dataplane.linux.NativeContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Which way to move packets between Java heap arrays and a descriptor is cheaper: a critical downcall that lets the
 * kernel read/write the heap array directly, or a normal downcall on a per-thread native buffer plus a copy.
 * /dev/null and /dev/zero keep the system call itself as small as possible, so the difference is what we add.
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main TunIoBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TunIoBenchmark {
    @Param({"1420"})
    int size;

    byte[] heap;
    /** {@code heap} from offset 64, made once as a pooled buffer's is ({@code PacketBuffer.segmentFrom}). */
    MemorySegment heapAt64;

    NativeContext ctx;
    int devNull;
    int devZero;

    @Setup(Level.Trial)
    public void open() {
        heap = new byte[65536];
        heapAt64 = MemorySegment.ofArray(heap).asSlice(64);
        ctx = NativeContext.current();
        devNull = LibcAccess.openPath(ctx, "/dev/null", Libc.O_RDWR | Libc.O_NONBLOCK);
        devZero = LibcAccess.openPath(ctx, "/dev/zero", Libc.O_RDWR | Libc.O_NONBLOCK);
    }

    @TearDown(Level.Trial)
    public void close() {
        Libc.close(ctx, devNull);
        Libc.close(ctx, devZero);
    }

    @Benchmark
    public long writeCriticalHeap() {
        return Libc.writeHeap(ctx, devNull, heapAt64, size);
    }

    @Benchmark
    public long writeNativeCopy() {
        MemorySegment.copy(heap, 64, ctx.io, ValueLayout.JAVA_BYTE, 0, size);
        return Libc.write(ctx, devNull, ctx.io, size);
    }

    @Benchmark
    public long readCriticalHeap() {
        return Libc.readHeap(ctx, devZero, heapAt64, size);
    }

    @Benchmark
    public long readNativeCopy() {
        long n = Libc.read(ctx, devZero, ctx.io, size);
        MemorySegment.copy(ctx.io, ValueLayout.JAVA_BYTE, 0, heap, 64, size);
        return n;
    }
}
