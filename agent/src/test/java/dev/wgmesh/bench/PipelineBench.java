package dev.wgmesh.bench;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.AeadKey;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.pipeline.CryptoDispatcher;
import dev.wgmesh.dataplane.pipeline.CryptoOp;
import dev.wgmesh.dataplane.pipeline.DispatcherIdle;
import dev.wgmesh.dataplane.pipeline.OrderedCryptoPipeline;
import dev.wgmesh.dataplane.pipeline.PeerLane;
import dev.wgmesh.dataplane.queue.CryptoBudget;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.queue.FqCodel;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import dev.wgmesh.dataplane.queue.TimeCappedBudget;
import dev.wgmesh.dataplane.queue.Tin;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The whole transmit path in memory, no kernel I/O: generate 1420-byte IPv4/UDP packets → classify → FQ-CoDel →
 * DRR across peers (counters assigned) → crypto budget → ordered parallel pipeline with the device's
 * ChaCha20-Poly1305 ({@link ChaChaPoly}) sealing in place → per-peer reorder → a counting sink. The generator runs on
 * the scheduler thread and keeps the scheduler backlogged, so crypto is the bottleneck.
 *
 * <p>"N workers" means N crypto threads in all: N - 1 worker threads and the dispatcher, which helps with queued
 * batches ({@link OrderedCryptoPipeline#helpOne}) as the device's parallel dispatcher does. So the 1-worker
 * reference is the whole pipeline on one thread, and 2 workers use two threads for two cores.
 *
 * <p>Prints packets/s for 1 worker (the reference) and 2 workers, and their ratio; then, with 2 workers, throughput
 * and crypto-stage latency for each crypto budget. Each pair's line also gives both runs' CPU per packet, the
 * threads' crypto busy time and, as a machine check, how two independent sealing threads scaled just before and just
 * after it: a low pair with normal checks is the pipeline's doing, not the machine's ({@link #scaledPairs}).
 */
public final class PipelineBench {
    static final int PEERS = 4;
    static final int FLOWS_PER_PEER = 8;
    static final int PAYLOAD = 1420;
    /** Packets per crypto batch, as in the device's parallel path. */
    static final int BATCH_PACKETS = 32;
    /**
     * Most buffers the pool may create ({@code -Dwgmesh.bench.poolBuffers}); it grows only when empty. Buffers cycle
     * through it first in, first out, so this bounds the memory the packets touch.
     */
    static final int POOL_BUFFERS = Integer.getInteger("wgmesh.bench.poolBuffers", 8192);

    static final LongSupplier CLOCK = System::nanoTime;
    /** Warm-up of every run after the first: the code is compiled by then, only the queues need to fill. */
    static final long WARM_AGAIN = 500_000_000L;
    /** Independent sealing threads 2 / 1 at or above this: the two virtual CPUs behaved as two cores. */
    static final double MACHINE_SCALES = 1.75;

    /**
     * @param workerCpuNanosPerPacket CPU time of all the pipeline's threads (workers and dispatcher) per packet:
     *     unlike wall-clock rates it does not depend on how much of the machine other processes take, so it shows
     *     whether adding workers adds overhead
     * @param schedulerCpuNanosPerPacket the dispatcher thread's part of it (generator, scheduling, helped crypto)
     */
    record Run(
            double packetsPerSecond,
            double gbps,
            long p50Nanos,
            long p99Nanos,
            double[] busy,
            double workerCpuNanosPerPacket,
            double schedulerCpuNanosPerPacket,
            long finalLimit,
            long buffers,
            double packetsPerBatch,
            double[] cryptoNanosPerPacket) {}

    /**
     * ChaCha20-Poly1305 as the device seals a transport-data message ({@link ChaChaPoly}, the engine it picks for this
     * CPU): one instance per worker, key per peer.
     */
    static CryptoOp chachaOp() {
        ChaChaPoly aead = new ChaChaPoly();
        AeadKey[] keys = new AeadKey[PEERS];
        for (int i = 0; i < PEERS; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) (i + 1);
            keys[i] = new AeadKey(k);
        }
        return p -> {
            int peer = (Integer) ((PeerLane) p.owner).peer();
            long c = p.counter;
            int n = aead.seal(keys[peer], c, p.data, p.offset, p.length);
            int h = p.offset - 16; // transport header: type 4, receiver index, counter (whitepaper §5.4.6)
            p.data[h] = 4;
            for (int i = 0; i < 8; i++) {
                p.data[h + 8 + i] = (byte) (c >>> (8 * i));
            }
            p.offset = h;
            return n + 16;
        };
    }

    static Run run(int workers, CryptoBudget budget, long warmupNanos, long measureNanos) {
        BufferPool pool = new BufferPool(PacketBuffer.HEADROOM + PAYLOAD + PacketBuffer.TAILROOM, POOL_BUFFERS);
        FlowClassifier classifier = FlowClassifier.withRandomSeed();
        PeerScheduler scheduler = new PeerScheduler(new FqCodel(FqCodel.Config.defaults(), CLOCK));
        long[] sent = new long[PEERS * 16]; // one padded slot per peer: each written only under its lane's order
        // N crypto threads: N - 1 workers and the dispatcher, which helps whenever batches wait, as the device's
        // parallel dispatcher does. One "worker" is thus the whole pipeline on one thread, the honest reference.
        OrderedCryptoPipeline pipeline = new OrderedCryptoPipeline(
                workers - 1,
                true,
                w -> chachaOp(),
                (peer, packets, count) -> {
                    sent[(Integer) peer * 16] += count;
                    for (int i = 0; i < count; i++) {
                        packets[i].release();
                    }
                },
                BATCH_PACKETS,
                64, // batches in circulation, as in the device
                CLOCK);
        Tin[] tins = new Tin[PEERS];
        for (int i = 0; i < PEERS; i++) {
            tins[i] = scheduler.addPeer(pipeline.newLane(i), new AtomicLong()::getAndIncrement);
        }
        CryptoDispatcher dispatcher = new CryptoDispatcher(scheduler, budget, pipeline, CLOCK);
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        long[] busyAtStart = new long[workers]; // per crypto thread: the workers, then the helping dispatcher
        long batchesAtStart = 0;
        long[] packetsAtStartOf = new long[workers];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] ids = pipeline.workerThreadIds();
        long cpuAtStart = 0;
        long schedulerCpuAtStart = 0;
        long packetsAtStart = -1;
        int next = 0;
        int idle = 0;
        long now;
        while ((now = System.nanoTime()) < end) {
            if (packetsAtStart < 0 && now >= measureFrom) {
                packetsAtStart = sum(sent);
                for (int w = 0; w < workers; w++) {
                    busyAtStart[w] = pipeline.workerStats().busyNanos(w);
                    batchesAtStart += pipeline.workerStats().batches(w);
                    packetsAtStartOf[w] = pipeline.workerStats().packets(w);
                }
                for (long id : ids) {
                    cpuAtStart += mx.getThreadCpuTime(id);
                }
                schedulerCpuAtStart = mx.getCurrentThreadCpuTime();
            }
            while (scheduler.packets() < 1024) {
                PacketBuffer p = pool.acquire();
                if (p == null) {
                    break;
                }
                int flow = next++;
                writeUdp(p, flow % (PEERS * FLOWS_PER_PEER));
                p.flowHash = classifier.hash(p.data, p.offset, p.length);
                scheduler.enqueue(tins[flow % PEERS], p);
            }
            int dispatched = dispatcher.pump();
            if (pipeline.helpOne() || dispatched > 0) {
                idle = 0;
            } else if (!DispatcherIdle.spinOrYield(idle++)) {
                // Budget or batches exhausted and none waiting: wait as the device's dispatcher does.
                DispatcherIdle.park(pipeline);
            }
        }
        long schedulerCpu = mx.getCurrentThreadCpuTime() - schedulerCpuAtStart;
        long measured = sum(sent) - packetsAtStart; // racy read of the sink's counters: fine to a batch
        long cpu = -cpuAtStart + schedulerCpu; // every pipeline thread: the workers and the dispatcher
        for (long id : ids) {
            cpu += mx.getThreadCpuTime(id);
        }
        double seconds = (System.nanoTime() - measureFrom) / 1e9;
        double[] busy = new double[workers];
        long batches = 0;
        long batched = 0; // packets through crypto during the measurement
        double[] cryptoPerPacket = new double[workers];
        for (int w = 0; w < workers; w++) {
            busy[w] = (pipeline.workerStats().busyNanos(w) - busyAtStart[w]) / (seconds * 1e9);
            batches += pipeline.workerStats().batches(w);
            long done = pipeline.workerStats().packets(w) - packetsAtStartOf[w];
            batched += done;
            cryptoPerPacket[w] = (pipeline.workerStats().busyNanos(w) - busyAtStart[w]) / (double) Math.max(1, done);
        }
        long p50 = pipeline.stageLatency().quantile(0.5);
        long p99 = pipeline.stageLatency().quantile(0.99);
        pipeline.close();
        double pps = measured / seconds;
        return new Run(
                pps,
                pps * PAYLOAD * 8 / 1e9,
                p50,
                p99,
                busy,
                (double) cpu / measured,
                (double) schedulerCpu / measured,
                budget.limit(),
                pool.created(),
                (double) batched / Math.max(1, batches - batchesAtStart),
                cryptoPerPacket);
    }

    /**
     * The machine check for one pair: packets/s of {@code threads} threads sealing independently (each its own
     * cipher and buffer, nothing shared) for {@code nanos}. Two threads over one gives what the cores can scale to
     * right now, whatever the pipeline does: a pair whose check is low was slowed by the machine, not by us.
     */
    static double independentSealRate(int threads, long nanos) {
        long[] counts = new long[threads * 16];
        Thread[] ts = new Thread[threads];
        long end = System.nanoTime() + nanos;
        for (int t = 0; t < threads; t++) {
            int slot = t * 16;
            ts[t] = Thread.ofPlatform().start(() -> {
                ChaChaPoly aead = new ChaChaPoly();
                AeadKey key = new AeadKey(new byte[32]);
                byte[] data = new byte[PAYLOAD + ChaChaPoly.TAG_LEN];
                long n = 0;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 32; i++) {
                        aead.seal(key, n++, data, 0, PAYLOAD);
                    }
                }
                counts[slot] = n;
            });
        }
        long sum = 0;
        for (int t = 0; t < threads; t++) {
            try {
                ts[t].join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            sum += counts[t * 16];
        }
        return sum / (nanos / 1e9);
    }

    /**
     * The second machine check: nanoseconds for one round trip of a cache line between two threads (each waits for
     * the other's write, then writes), the median of 20 bursts of 2,000 round trips. It is what every packet handed
     * to another core pays a few times over. On this virtual machine it ranged 36-480 ns from pair to pair (once
     * 1,160 ns), which independent sealing threads do not show; it did not predict the low pairs.
     */
    static double cacheLineRoundTripNanos() {
        java.util.concurrent.atomic.AtomicLong ball = new java.util.concurrent.atomic.AtomicLong();
        int trips = 2_000;
        int bursts = 20;
        double[] perTrip = new double[bursts];
        Thread echo = Thread.ofPlatform().start(() -> {
            for (long v = 1; v < 2L * trips * bursts; v += 2) {
                long deadline = System.nanoTime() + 1_000_000_000L;
                while (ball.get() != v) {
                    if (System.nanoTime() > deadline) {
                        return; // the other side gave up
                    }
                    Thread.onSpinWait();
                }
                ball.set(v + 1);
            }
        });
        long v = 0;
        for (int b = 0; b < bursts; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < trips; i++) {
                ball.set(v + 1);
                long deadline = System.nanoTime() + 1_000_000_000L;
                while (ball.get() != v + 2) {
                    if (System.nanoTime() > deadline) {
                        return Double.NaN; // no second core to be had
                    }
                    Thread.onSpinWait();
                }
                v += 2;
            }
            perTrip[b] = (System.nanoTime() - start) / (double) trips;
        }
        try {
            echo.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return median(perTrip);
    }

    /** The budget the device's parallel path runs with {@code threads} crypto threads. */
    static CryptoBudget deviceBudget(int threads) {
        return TimeCappedBudget.forParallelPath(
                threads, BATCH_PACKETS, FqCodel.Config.DEFAULT_MTU + FqCodel.Config.WIREGUARD_OVERHEAD);
    }

    /** The run with the median packet rate (the upper middle one of an even count). */
    static Run median(Run[] runs) {
        Run[] sorted = runs.clone();
        java.util.Arrays.sort(sorted, java.util.Comparator.comparingDouble(Run::packetsPerSecond));
        return sorted[sorted.length / 2];
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * The ratio over the pairs the machine itself scaled around: independent sealing threads at 1.75x or more both
     * just before and just after the pair. Why: the host moves this VM's two virtual CPUs, and while the machine itself
     * does not scale no pipeline can; a low pair inside a well-scaling window is ours to explain (most were, on the
     * day this was added).
     */
    static String scaledPairs(double[] ratios, double[] before, double[] after) {
        double[] kept = new double[ratios.length];
        int n = 0;
        for (int i = 0; i < ratios.length; i++) {
            if (before[i] >= MACHINE_SCALES && after[i] >= MACHINE_SCALES) {
                kept[n++] = ratios[i];
            }
        }
        if (n == 0) {
            return "pairs the machine scaled around (independent threads >= 1.75x before and after): none";
        }
        double[] k = java.util.Arrays.copyOf(kept, n);
        return String.format(
                "pairs the machine scaled around (independent threads >= 1.75x before and after): %d of %d, median"
                        + " ratio %.2fx (%s)",
                n, ratios.length, median(k), ratioList(k));
    }

    private static String ratioList(double[] ratios) {
        StringBuilder b = new StringBuilder();
        for (double r : ratios) {
            b.append(b.isEmpty() ? "" : " ").append(String.format("%.2fx", r));
        }
        return b.toString();
    }

    private static long sum(long[] sent) {
        long s = 0;
        for (int i = 0; i < sent.length; i += 16) {
            s += sent[i];
        }
        return s;
    }

    private static void writeUdp(PacketBuffer p, int flow) {
        byte[] d = p.data;
        int o = p.offset;
        d[o] = 0x45;
        d[o + 2] = (byte) (PAYLOAD >>> 8);
        d[o + 3] = (byte) PAYLOAD;
        d[o + 8] = 64;
        d[o + 9] = 17;
        d[o + 12] = 10;
        d[o + 15] = 1;
        d[o + 16] = 10;
        d[o + 19] = (byte) (2 + flow / FLOWS_PER_PEER);
        d[o + 20] = (byte) (flow >>> 8);
        d[o + 21] = (byte) flow;
        d[o + 23] = 53;
        p.length = PAYLOAD;
    }

    private static String busyList(Run r) {
        StringBuilder busy = new StringBuilder();
        for (int w = 0; w < r.busy().length; w++) {
            busy.append(
                    String.format(" %.0f%% (%.2f µs/packet)", r.busy()[w] * 100, r.cryptoNanosPerPacket()[w] / 1e3));
        }
        return busy.toString();
    }

    private static String line(String name, Run r) {
        String busy = busyList(r);
        return String.format(
                "%-24s %,10.0f packets/s %6.2f Gb/s | CPU, all threads %5.2f µs/packet | of it the dispatcher"
                        + " (generator, scheduling, helped crypto) %5.2f µs/packet | crypto stage p50 %8.1f µs p99"
                        + " %8.1f µs | limit %5.0f KB | busy%s",
                name,
                r.packetsPerSecond(),
                r.gbps(),
                r.workerCpuNanosPerPacket() / 1e3,
                r.schedulerCpuNanosPerPacket() / 1e3,
                r.p50Nanos() / 1e3,
                r.p99Nanos() / 1e3,
                r.finalLimit() / 1e3,
                busy);
    }

    private static String loadAverage() {
        return String.format(
                "%.1f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        long warm = 2_000_000_000L;
        long measure = (long) (seconds * 1e9);
        System.out.printf(
                "in-memory transmit pipeline: %d peers x %d flows, %d-byte packets, ChaCha20-Poly1305 (%s engine),"
                        + " 32-packet batches, the device's crypto budget (DQL from a batch per crypto thread,"
                        + " capped at 1 ms of work), %d cores available, %.0f s per run after 2 s warm-up%n",
                PEERS,
                FLOWS_PER_PEER,
                PAYLOAD,
                ChaChaPoly.defaultEngine(),
                Runtime.getRuntime().availableProcessors(),
                seconds);
        // The machine is shared and noisy: 1 and 2 workers alternate, so a burst of outside load hits both alike,
        // and the figures are medians over the pairs.
        int pairs = Integer.getInteger("wgmesh.bench.pairs", 3);
        Run[] ones = new Run[pairs];
        Run[] twos = new Run[pairs];
        double[] ratios = new double[pairs];
        double[] checks = new double[pairs];
        double[] roundTrips = new double[pairs];
        double[] checksAfter = new double[pairs];
        double[] roundTripsAfter = new double[pairs];
        independentSealRate(2, 1_000_000_000L); // compiled before the first check, or that check reads low
        for (int i = 0; i < pairs; i++) {
            checks[i] = independentSealRate(2, 500_000_000L) / independentSealRate(1, 500_000_000L);
            roundTrips[i] = cacheLineRoundTripNanos();
            ones[i] = run(1, deviceBudget(1), i == 0 ? warm : WARM_AGAIN, measure);
            twos[i] = run(2, deviceBudget(2), i == 0 ? warm : WARM_AGAIN, measure);
            ratios[i] = twos[i].packetsPerSecond() / ones[i].packetsPerSecond();
            checksAfter[i] = independentSealRate(2, 500_000_000L) / independentSealRate(1, 500_000_000L);
            roundTripsAfter[i] = cacheLineRoundTripNanos();
            System.out.printf(
                    "  pair %d: 1 worker %,.0f packets/s, 2 workers %,.0f packets/s, ratio %.2fx | CPU per packet"
                            + " %.2f / %.2f µs (dispatcher %.2f) | 2 workers busy%s, limit %.0f KB, %.1f packets per batch, %d"
                            + " buffers"
                            + " | machine check:"
                            + " independent sealing threads 2 / 1 %.2fx before, %.2fx after, cache line round trip"
                            + " %.0f ns before, %.0f after%n",
                    i + 1,
                    ones[i].packetsPerSecond(),
                    twos[i].packetsPerSecond(),
                    ratios[i],
                    ones[i].workerCpuNanosPerPacket() / 1e3,
                    twos[i].workerCpuNanosPerPacket() / 1e3,
                    twos[i].schedulerCpuNanosPerPacket() / 1e3,
                    busyList(twos[i]),
                    twos[i].finalLimit() / 1e3,
                    twos[i].packetsPerBatch(),
                    twos[i].buffers(),
                    checks[i],
                    checksAfter[i],
                    roundTrips[i],
                    roundTripsAfter[i]);
        }
        Run one = median(ones);
        Run two = median(twos);
        System.out.println(line("reference: 1 worker", one));
        System.out.println(line("ours: 2 workers", two));
        System.out.printf(
                "ratio 2 workers / 1 worker: %.2fx median of %d alternating pairs (%s; goal >= 1.8x; N workers are"
                        + " N threads, the dispatcher being one; other processes share the cores)%n",
                median(ratios), pairs, ratioList(ratios));
        System.out.println(scaledPairs(ratios, checks, checksAfter));
        System.out.printf(
                "CPU per packet 2 workers / 1 worker: %.2f (1.00 = no added overhead; independent of machine load)%n",
                two.workerCpuNanosPerPacket() / one.workerCpuNanosPerPacket());
        System.out.printf("load average while running: %s%n", loadAverage());
        if (args.length > 1 && args[1].equals("budgets")) {
            System.out.println("crypto budgets, 2 workers:");
            for (Map.Entry<String, Supplier<CryptoBudget>> c :
                    CryptoBudgetSimulation.candidates().entrySet()) {
                System.out.println("  " + line(c.getKey(), run(2, c.getValue().get(), warm, measure)));
            }
        }
    }
}
