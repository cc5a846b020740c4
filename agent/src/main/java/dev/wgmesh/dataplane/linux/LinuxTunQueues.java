package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.MultiQueueTun;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The queues of one multi-queue {@link LinuxTun} interface: the per-flow data path gives each queue a worker of its
 * own ({@link #queues()}); the other paths read them all from one thread, round robin ({@link #readBatch}).
 *
 * <p>Why one reader on several queues: each TUN queue is a fixed ring (tx_queue_len packets) that the kernel
 * tail-drops when full, whatever the packet. With one ring, an unresponsive flood fills it and the kernel drops a
 * ping, a TCP segment of another peer, a DNS query as readily as the flood, before any fair queue of ours sees them.
 * The kernel puts a flow on the queue its return traffic was last written on (tun's flow table, entries kept for
 * seconds) and spreads the others by its flow hash; our writes pick the queue from a symmetric hash of the inner
 * addresses, protocol and ports ({@link #flowHash}), so every flow keeps to one ring and two flows share one with
 * probability 1/queues. Reading the rings in turn, a fixed share from each per pass, gives each ring its share of
 * the reader however fast one is filled, and the kernel's tail drops fall on the ring that overflows. Then the
 * reader's FQ-CoDel sorts what it read. A flow whose ring turns out to carry a flood is moved off it: its return
 * traffic is written on a cold ring instead ({@link RingHeat}), and the kernel follows.
 *
 * <p>Threading: {@link #readBatch}, {@link #readBatchNow} and {@link #read} from one reader thread at a time (the
 * rotation and the poll set are that thread's); writes from any thread, as {@link LinuxTun}'s (each writer thread
 * sorts its batch in scratch arrays of its own).
 */
public final class LinuxTunQueues implements MultiQueueTun {
    private final List<LinuxTun> queues;
    private final LinuxTun[] rings;
    /** pollfd per queue plus the first queue's wake-up eventfd, for the reader's wait on all queues. */
    private final MemorySegment pollfds;
    /** The queue the next read pass starts at: the start rotates so no ring is always read first. */
    private int next;
    /** The rings' load as the reader sees it, and where writers put each flow's return traffic. */
    private final RingHeat heat;
    /** Per writer thread: a batch's queues and one queue's sub-batch (grown to the largest batch, then reused). */
    private final ThreadLocal<WriteScratch> scratch = ThreadLocal.withInitial(WriteScratch::new);

    private static final class WriteScratch {
        int[] queue = new int[0];
        PacketBuffer[] out = new PacketBuffer[0];
    }

    private LinuxTunQueues(List<LinuxTun> queues) {
        this.queues = queues;
        this.rings = queues.toArray(new LinuxTun[0]);
        this.pollfds = Arena.ofAuto().allocate((rings.length + 1) * Libc.POLLFD_SIZE, 8);
        this.heat = new RingHeat(rings.length);
    }

    /** Creates the interface {@code name} with {@code count} queues (see {@link LinuxTun#openQueues}). */
    public static LinuxTunQueues open(String name, LinuxTun.Options options, int count) throws IOException {
        return new LinuxTunQueues(LinuxTun.openQueues(name, options, count));
    }

    @Override
    public List<LinuxTun> queues() {
        return queues;
    }

    /** The first queue: the interface's name, index, MTU and removal are the same on all. */
    public LinuxTun primary() {
        return queues.get(0);
    }

    /** Pins the calling thread to CPU {@code queue} modulo the number of CPUs (sched_setaffinity). Best effort. */
    @Override
    public void pinWorker(int queue) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) {
            return;
        }
        int cpu = queue % cpus;
        NativeContext ctx = NativeContext.current();
        MemorySegment mask = ctx.scratch.asSlice(128, 128); // cpu_set_t: 1024 bits
        mask.fill((byte) 0);
        mask.set(JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
        Libc.schedSetaffinity(ctx, 128, mask); // refused (cgroup cpuset): the thread stays unpinned
    }

    @Override
    public dev.wgmesh.dataplane.io.ThreadPriority threadPriority() {
        return LinuxThreadPriority.INSTANCE;
    }

    @Override
    public String name() {
        return primary().name();
    }

    @Override
    public int mtu() throws IOException {
        return primary().mtu();
    }

    /** One packet from whichever queue has one (rotating), waiting on all when none has. */
    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (rings.length == 1) {
            return primary().read(buf, off, len);
        }
        while (true) {
            for (int j = 0; j < rings.length; j++) {
                int q = (next + j) % rings.length;
                long n = rings[q].read(buf, off, len, false);
                if (n != LinuxTun.NOTHING_READY) {
                    next = (q + 1) % rings.length;
                    return (int) n;
                }
            }
            if (!awaitReadable()) {
                return -1;
            }
        }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        rings[heat.ringFor(flowHash(buf, off, len), heat.hot())].write(buf, off, len);
    }

    /** The hot rings, bit q for ring q ({@link RingHeat}): for tests and diagnostics. */
    long hotRings() {
        return heat.hot();
    }

    /** Waits until some queue has a packet, then reads as {@link #readBatchNow}. */
    @Override
    public int readBatch(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        if (rings.length == 1) {
            return primary().readBatch(bufs, count, maxLen);
        }
        while (true) {
            int n = readBatchNow(bufs, count, maxLen);
            if (n != 0) {
                return n;
            }
            if (!awaitReadable()) {
                return -1;
            }
        }
    }

    /**
     * Never blocks: passes over the queues, each pass taking at most {@code count / queues} packets (at least one)
     * from each queue that still has some, until {@code count} are read or every queue is empty. A queue found empty
     * is not read again in this call, so an idle queue costs one read per call.
     *
     * @return packets read (possibly 0), or -1 when the interface is closed or gone and nothing was read
     */
    @Override
    public int readBatchNow(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        if (rings.length == 1) {
            return primary().readBatchNow(bufs, count, maxLen);
        }
        int k = rings.length;
        int share = Math.max(1, count / k);
        long drained = 0; // bit q: queue q came back short, i.e. empty now
        long all = k == 64 ? -1L : (1L << k) - 1;
        int got = 0;
        int start = next;
        next = (next + 1) % k;
        while (got < count && drained != all) {
            for (int j = 0; j < k && got < count; j++) {
                int q = (start + j) % k;
                if ((drained & (1L << q)) != 0) {
                    continue;
                }
                int want = Math.min(share, count - got);
                int n = rings[q].readBatch(bufs, got, want, maxLen, false);
                if (n < 0) {
                    return got == 0 ? -1 : got;
                }
                if (n > 0) {
                    PacketBuffer sample = bufs[got + n - 1];
                    heat.read(q, n, flowHash(sample.data, sample.offset, sample.length));
                }
                if (n < want) {
                    drained |= 1L << q;
                }
                got += n;
            }
        }
        heat.endOfCall(System.nanoTime());
        return got;
    }

    /**
     * Polls every queue and the first queue's wake-up descriptor.
     *
     * @return false when the interface is closing or a queue reported an error (the caller's read ends: -1)
     */
    private boolean awaitReadable() throws IOException {
        int k = rings.length;
        int held = 0;
        try {
            for (; held < k; held++) {
                if (!rings[held].fdRef().acquire()) {
                    return false;
                }
            }
            for (int q = 0; q < k; q++) {
                setPollfd(q, rings[q].fdRef().fd);
            }
            setPollfd(k, rings[0].wakeFd());
            NativeContext ctx = NativeContext.current();
            int r;
            do {
                r = Libc.poll(ctx, pollfds, k + 1, -1);
            } while (r == -Libc.EINTR);
            if (r < 0) {
                throw new NativeException("poll " + name(), -r);
            }
            for (int q = 0; q <= k; q++) {
                short revents = pollfds.get(ValueLayout.JAVA_SHORT, q * Libc.POLLFD_SIZE + 6);
                if (q == k ? revents != 0 : (revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0) {
                    return false;
                }
            }
            return true;
        } finally {
            for (int q = 0; q < held; q++) {
                rings[q].fdRef().release();
            }
        }
    }

    private void setPollfd(int slot, int fd) {
        long at = slot * Libc.POLLFD_SIZE;
        pollfds.set(ValueLayout.JAVA_INT, at, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, at + 4, Libc.POLLIN);
        pollfds.set(ValueLayout.JAVA_SHORT, at + 6, (short) 0);
    }

    /**
     * Writes each packet on its flow's queue ({@link RingHeat#ringFor}), a sub-batch per queue in the order given, so a
     * flow's packets stay in order and its segments still merge.
     *
     * @return how many packets failed
     */
    @Override
    public int writeBatch(PacketBuffer[] bufs, int count) {
        int k = rings.length;
        if (k == 1 || count <= 0) {
            return primary().writeBatch(bufs, count);
        }
        WriteScratch w = scratch.get();
        if (w.out.length < count) {
            w.out = new PacketBuffer[Math.max(count, 2 * w.out.length)];
            w.queue = new int[w.out.length];
        }
        PacketBuffer[] out = w.out;
        int[] queue = w.queue;
        long seen = 0;
        long hot = heat.hot();
        for (int i = 0; i < count; i++) {
            PacketBuffer b = bufs[i];
            queue[i] = heat.ringFor(flowHash(b.data, b.offset, b.length), hot);
            seen |= 1L << queue[i];
        }
        int failed = 0;
        for (int q = 0; q < k; q++) {
            if ((seen & (1L << q)) == 0) {
                continue;
            }
            int m = 0;
            for (int i = 0; i < count; i++) {
                if (queue[i] == q) {
                    out[m++] = bufs[i];
                }
            }
            failed += rings[q].writeBatch(out, m);
            java.util.Arrays.fill(out, 0, m, null);
        }
        return failed;
    }

    /**
     * A symmetric hash of an inner IP packet's flow: addresses, protocol and (TCP, UDP, SCTP, UDP-Lite) ports, the
     * same for both directions, so a flow's return traffic written on its ring and the flow itself read back share
     * one ({@link RingHeat#ringFor}). Fragments and other protocols hash by addresses only; anything unparsable is 0
     * (ring 0 while it is cold).
     */
    static int flowHash(byte[] p, int off, int len) {
        if (len < 20) {
            return 0;
        }
        int version = (p[off] & 0xff) >>> 4;
        int h;
        int proto;
        int l4;
        boolean firstFragment = true;
        if (version == 4) {
            h = be32(p, off + 12) ^ be32(p, off + 16);
            proto = p[off + 9] & 0xff;
            l4 = off + (p[off] & 0x0f) * 4;
            firstFragment = (be16(p, off + 6) & 0x1fff) == 0;
        } else if (version == 6 && len >= 40) {
            h = 0;
            for (int i = 8; i < 40; i += 4) {
                h ^= be32(p, off + i);
            }
            proto = p[off + 6] & 0xff;
            l4 = off + 40;
        } else {
            return 0;
        }
        boolean ports = proto == 6 || proto == 17 || proto == 132 || proto == 136;
        if (ports && firstFragment && l4 + 4 <= off + len) {
            h ^= (be16(p, l4) ^ be16(p, l4 + 2)) * 0x9e3779b1;
        }
        h ^= proto << 24;
        h *= 0x85ebca6b; // finaliser (murmur3 fmix32): spreads every input bit over the result
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int be32(byte[] p, int i) {
        return ((p[i] & 0xff) << 24) | ((p[i + 1] & 0xff) << 16) | ((p[i + 2] & 0xff) << 8) | (p[i + 3] & 0xff);
    }

    private static int be16(byte[] p, int i) {
        return ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
    }

    @Override
    public void close() {
        for (LinuxTun q : queues) {
            q.close();
        }
    }

    @Override
    public String toString() {
        return "LinuxTun[" + name() + ", " + queues.size() + " queues]";
    }
}
