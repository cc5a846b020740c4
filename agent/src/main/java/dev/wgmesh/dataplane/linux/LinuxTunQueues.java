package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.MultiQueueTun;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** The queues of one multi-queue {@link LinuxTun} interface, for the per-flow data path. */
public final class LinuxTunQueues implements MultiQueueTun {
    private final List<LinuxTun> queues;

    private LinuxTunQueues(List<LinuxTun> queues) {
        this.queues = queues;
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
    public String name() {
        return primary().name();
    }

    @Override
    public int mtu() throws IOException {
        return primary().mtu();
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return primary().read(buf, off, len);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        primary().write(buf, off, len);
    }

    @Override
    public int readBatch(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        return primary().readBatch(bufs, count, maxLen);
    }

    @Override
    public int writeBatch(PacketBuffer[] bufs, int count) {
        return primary().writeBatch(bufs, count);
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
