package dev.wgmesh.dataplane.io.memory;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded FIFO of packets with recycled slots, so steady-state traffic through the fakes does not allocate
 * (array-backed queues, slots reused). Full = the packet is dropped and counted, like a real socket buffer.
 * Closing wakes every blocked taker, which then sees {@code null}.
 */
final class PacketQueue {
    private static final PacketSlot CLOSED = new PacketSlot();

    private final ArrayBlockingQueue<PacketSlot> queue;
    private final ArrayBlockingQueue<PacketSlot> free;
    private volatile boolean closed;
    private volatile long dropped;

    PacketQueue(int capacity) {
        queue = new ArrayBlockingQueue<>(capacity + 1); // + 1 for the CLOSED marker
        free = new ArrayBlockingQueue<>(capacity);
    }

    /** A slot to fill and {@link #offer}, or null when the queue is full (counted as a drop). */
    PacketSlot claim() {
        if (closed || queue.remainingCapacity() <= 1) {
            drop();
            return null;
        }
        PacketSlot s = free.poll();
        return s != null ? s : new PacketSlot();
    }

    /** Enqueues a filled slot; returns false (and recycles it) if the queue filled up or closed meanwhile. */
    boolean offer(PacketSlot slot) {
        if (closed || queue.remainingCapacity() <= 1 || !queue.offer(slot)) {
            recycle(slot);
            drop();
            return false;
        }
        return true;
    }

    /** Blocks for the next packet; null once closed. The caller {@link #recycle}s the slot. */
    PacketSlot take() throws InterruptedIOException {
        try {
            PacketSlot s = queue.take();
            if (s == CLOSED) {
                queue.offer(CLOSED); // wake the next blocked taker too
                return null;
            }
            return s;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a packet");
        }
    }

    /** The next packet within {@code timeout}, or null (timeout or closed). */
    PacketSlot poll(long timeout, TimeUnit unit) throws InterruptedException {
        PacketSlot s = queue.poll(timeout, unit);
        if (s == CLOSED) {
            queue.offer(CLOSED);
            return null;
        }
        return s;
    }

    void recycle(PacketSlot slot) {
        if (slot != null && slot != CLOSED) {
            free.offer(slot);
        }
    }

    int size() {
        int n = queue.size();
        return closed ? Math.max(0, n - 1) : n;
    }

    long dropped() {
        return dropped;
    }

    private synchronized void drop() {
        dropped++;
    }

    void close() {
        closed = true;
        while (!queue.offer(CLOSED)) {
            recycle(queue.poll()); // racing offers filled the marker's spare place: lose a packet, not the marker
        }
    }

    boolean isClosed() {
        return closed;
    }
}
