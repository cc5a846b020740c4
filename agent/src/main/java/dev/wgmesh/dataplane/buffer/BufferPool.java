package dev.wgmesh.dataplane.buffer;

import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MpmcArrayQueue;

/**
 * A bounded pool of equally sized {@link PacketBuffer}s shared by all data-plane threads.
 *
 * <p>Lock-free and allocation-free in steady state: buffers live in a JCTools MPMC array queue. When the pool is
 * empty {@link #acquire} returns null and the caller drops the packet and counts it: the data plane never
 * allocates or blocks under load (a full pool means a queue further on is already too long).
 *
 * <p>Buffers are created lazily up to {@code maxBuffers}, so an idle device holds little memory.
 */
public final class BufferPool {
    private final MpmcArrayQueue<PacketBuffer> free;
    private volatile int bufferSize;
    private final int maxBuffers;
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong exhausted = new AtomicLong();

    /**
     * @param bufferSize bytes per buffer, headroom and tailroom included
     * @param maxBuffers upper bound on buffers ever created
     */
    public BufferPool(int bufferSize, int maxBuffers) {
        if (bufferSize < PacketBuffer.HEADROOM + PacketBuffer.TAILROOM + 1 || maxBuffers < 2) {
            throw new IllegalArgumentException("buffer pool too small");
        }
        this.bufferSize = bufferSize;
        this.maxBuffers = maxBuffers;
        this.free = new MpmcArrayQueue<>(maxBuffers);
    }

    /** A buffer with {@code offset = HEADROOM, length = 0}, or null when the pool is exhausted. */
    public PacketBuffer acquire() {
        PacketBuffer b = free.relaxedPoll();
        if (b != null) {
            return b;
        }
        long n = created.get();
        while (n < maxBuffers) {
            if (created.compareAndSet(n, n + 1)) {
                PacketBuffer fresh = new PacketBuffer(this, bufferSize); // rare: the pool grows
                fresh.clear();
                return fresh;
            }
            n = created.get();
        }
        b = free.poll();
        if (b == null) {
            exhausted.incrementAndGet();
        }
        return b;
    }

    void release(PacketBuffer b) {
        b.clear();
        if (!free.relaxedOffer(b)) {
            // Cannot happen while every buffer comes from this pool; guard against double release.
            throw new IllegalStateException("buffer released twice");
        }
    }

    /** The size of buffers created from now on; a buffer may have grown beyond it ({@link PacketBuffer#reserve}). */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * Buffers created from now on have at least {@code size} bytes (the interface MTU went up); buffers made before
     * grow when a packet needs it ({@link PacketBuffer#reserve}). Never shrinks.
     */
    public void raiseBufferSize(int size) {
        if (size > PacketBuffer.MAX_CAPACITY) {
            throw new IllegalArgumentException("buffer size " + size);
        }
        synchronized (free) {
            if (size > bufferSize) {
                bufferSize = size;
            }
        }
    }

    /** Buffers created so far. */
    public long created() {
        return created.get();
    }

    /** Times {@link #acquire} found the pool empty. */
    public long exhaustedCount() {
        return exhausted.get();
    }
}
