package dev.wgmesh.dataplane.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One peer's path through the parallel crypto stage: its open batch (dispatcher side) and its reorder ring, which
 * restores the peer's packet order after the workers finished its batches in any order.
 *
 * <pre>
 *   ring slot (seq & mask):  [ b5 done ][ b6 busy ][ b7 done ][ null ]...
 *                              ^ head: the next batch the sink must see
 * </pre>
 *
 * <p>The dispatcher puts batch {@code seq} in slot {@code seq & mask} before handing it to the workers. A worker
 * that finishes a batch marks it done and then tries to become the lane's sender (a CAS on {@code sending}, per
 * batch, never per packet — wireguard-go's lock-the-batch idea without a per-peer goroutine): the sender hands
 * consecutive done batches from {@code head} to the sink and stops at the first unfinished one, whose worker will
 * then do the same. The ring holds at least as many slots as there are batches, so a slot is always free again
 * (drained and cleared) before its sequence number comes round.
 */
public final class PeerLane {
    private static final VarHandle SENDING;

    static {
        try {
            SENDING = MethodHandles.lookup().findVarHandle(PeerLane.class, "sending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Object peer;
    private final OrderedCryptoPipeline pipeline;
    private final AtomicReferenceArray<Batch> ring;
    private final int mask;

    // Dispatcher thread only.
    long nextSeq;
    Batch open;
    boolean onOpenList;
    PeerLane nextOpen;

    /** Next sequence the sink must see; written only by the current sender, read by workers re-checking. */
    private volatile long head;
    /** 1 while a worker is the lane's sender or another thread entered it; guards head and this lane's sink calls. */
    @SuppressWarnings("unused")
    private volatile int sending;

    PeerLane(Object peer, OrderedCryptoPipeline pipeline, int ringSize) {
        this.peer = peer;
        this.pipeline = pipeline;
        this.ring = new AtomicReferenceArray<>(ringSize);
        this.mask = ringSize - 1;
    }

    /** The device's peer object, as given to {@link OrderedCryptoPipeline#newLane}. */
    public Object peer() {
        return peer;
    }

    /** Dispatcher thread: places the batch at its sequence number before it is handed to the workers. */
    void place(Batch b) {
        long seq = nextSeq++;
        int slot = (int) (seq & mask);
        if (ring.get(slot) != null) {
            throw new IllegalStateException("reorder ring overrun"); // cannot happen while ring >= batch count
        }
        ring.lazySet(slot, b);
    }

    /**
     * Any thread: takes the lane's sink side for work of the caller's own, such as delivering one received message
     * that skipped the queues (the receiver's express path). True when no worker is delivering for this lane; the
     * caller then owns what the flag guards (for a receive lane: the peer's replay filter and receive hooks) until
     * {@link #exit}, which it must call. False: the caller does not wait, it takes the queued path.
     */
    public boolean tryEnter() {
        return SENDING.compareAndSet(this, 0, 1);
    }

    /**
     * After a successful {@link #tryEnter}: releases the lane, then delivers what workers finished meanwhile (a
     * worker that found the flag taken left its batch to the holder, as in {@link #drain}).
     */
    public void exit() {
        SENDING.setVolatile(this, 0);
        Batch next = ring.get((int) (head & mask));
        if (next != null && next.done) {
            drain();
        }
    }

    /** Worker thread, after marking a batch of this lane done: send whatever is now in order. */
    void drain() {
        while (SENDING.compareAndSet(this, 0, 1)) {
            long h = head;
            try {
                for (; ; ) {
                    int slot = (int) (h & mask);
                    Batch b = ring.get(slot);
                    if (b == null || !b.done) {
                        break;
                    }
                    ring.lazySet(slot, null);
                    h++;
                    pipeline.deliver(this, b);
                }
            } finally {
                head = h;
                SENDING.setVolatile(this, 0);
            }
            // A batch may have become done while we held the flag and its worker found the flag taken.
            Batch next = ring.get((int) (head & mask));
            if (next == null || !next.done) {
                return;
            }
        }
    }
}
