package dev.wgmesh.bench;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.queue.FqCodel;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import dev.wgmesh.dataplane.queue.Tin;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Scheduler-thread cost per packet: classify + FQ-CoDel enqueue + DRR dequeue with counter assignment, against a
 * standing backlog of 1024 packets spread over the peers' flows. The reference is a plain FIFO (intrusive linked
 * list) doing the same enqueue/dequeue without fairness, so the ratio is what fairness and AQM cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SchedulerBench {
    @Param({"4"})
    int peers;

    private PeerScheduler scheduler;
    private Tin[] tins;
    private FlowClassifier classifier;
    private BufferPool pool;
    private int next;
    private PacketBuffer fifoHead;
    private PacketBuffer fifoTail;

    @Setup
    public void setUp() {
        classifier = new FlowClassifier(1);
        pool = new BufferPool(1600, 4096);
        scheduler = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), System::nanoTime));
        tins = new Tin[peers];
        for (int i = 0; i < peers; i++) {
            tins[i] = scheduler.addPeer(i, new AtomicLong()::getAndIncrement);
        }
        for (int i = 0; i < 1024; i++) {
            scheduler.enqueue(tins[i % peers], packet(i));
            PacketBuffer b = packet(i);
            if (fifoTail == null) {
                fifoHead = b;
            } else {
                fifoTail.next = b;
            }
            fifoTail = b;
        }
    }

    private PacketBuffer packet(int i) {
        PacketBuffer b = pool.acquire();
        byte[] d = b.data;
        int o = b.offset;
        d[o] = 0x45;
        d[o + 9] = 17;
        d[o + 12] = 10;
        d[o + 16] = 10;
        d[o + 19] = (byte) (i % 7);
        d[o + 21] = (byte) (i % 64);
        b.length = 1420;
        return b;
    }

    @Benchmark
    public long fqCodelWithPeerDrr() {
        PacketBuffer b = scheduler.dequeue();
        long c = b.counter;
        b.flowHash = classifier.hash(b.data, b.offset, b.length);
        scheduler.enqueue(tins[next++ & (peers - 1)], b);
        return c;
    }

    @Benchmark
    public int referenceFifo() {
        PacketBuffer b = fifoHead;
        fifoHead = b.next;
        b.next = null;
        b.enqueueNanos = System.nanoTime();
        fifoTail.next = b;
        fifoTail = b;
        return b.length;
    }
}
