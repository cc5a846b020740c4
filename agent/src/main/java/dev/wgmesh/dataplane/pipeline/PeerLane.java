package dev.wgmesh.dataplane.pipeline;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
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
 *
 * <p>Inbox: a thread that opened a message outside the lane because the lane was held ({@link #reserve}, {@link
 * #post}) leaves it here, and whoever holds the lane hands it to the sink before its next batch and before it lets
 * go. So the message waits for at most one batch's delivery, not for the queues and the crypto in front of them.
 */
public final class PeerLane {
    private static final VarHandle SENDING;

    private static final VarHandle POSTED;
    /** Inbox slots: one per receiving thread would do; a few more so that a burst of small messages rarely misses. */
    static final int INBOX = 8;
    /** An inbox slot taken by a thread still opening its message. */
    private static final Object RESERVED = new Object();

    static {
        try {
            SENDING = MethodHandles.lookup().findVarHandle(PeerLane.class, "sending", int.class);
            POSTED = MethodHandles.lookup().findVarHandle(PeerLane.class, "posted", int.class);
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

    /** Messages opened outside the lane ({@link #post}): a slot is null, {@link #RESERVED} or a posted buffer. */
    private final AtomicReferenceArray<Object> inbox = new AtomicReferenceArray<>(INBOX);
    /** How many slots hold a posted buffer: the holder's one-read check before it lets go. */
    @SuppressWarnings("unused")
    private volatile int posted;
    /** The holder's array for handing posted buffers to the sink; touched only under the flag. */
    private final PacketBuffer[] inboxOut = new PacketBuffer[INBOX];

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
        if (pending()) {
            drain();
        }
    }

    /**
     * Any thread that found the lane held ({@link #tryEnter} false) and wants to open a message itself: takes an
     * inbox slot for it, before the work, so that an opened message always has a place. -1 when all slots are
     * taken: the caller takes the queued path instead.
     */
    public int reserve() {
        for (int i = 0; i < INBOX; i++) {
            if (inbox.get(i) == null && inbox.compareAndSet(i, null, RESERVED)) {
                return i;
            }
        }
        return -1;
    }

    /** Gives back a slot from {@link #reserve} that will not be posted (the message failed to open). */
    public void cancel(int slot) {
        inbox.set(slot, null);
    }

    /**
     * Posts {@code b}, opened outside the lane, into its slot from {@link #reserve}; the lane's holder hands it to the
     * sink (as a batch of one, in the form the crypto op leaves a message in) before its next batch or when it lets
     * go, or this thread does so now if the lane is free. The lane owns {@code b} from here.
     *
     * <p>Why no message is stranded: the poster writes the slot and then tries the flag; a holder clears the flag
     * and then reads {@code posted}. All four are volatile, so at least one of the two sees the other.
     */
    public void post(int slot, PacketBuffer b) {
        inbox.set(slot, b);
        POSTED.getAndAdd(this, 1);
        drain();
    }

    /** Holder: hands every posted message to the sink. */
    private void deliverInbox() {
        if ((int) POSTED.getVolatile(this) == 0) {
            return;
        }
        int k = 0;
        for (int i = 0; i < INBOX; i++) {
            if (inbox.get(i) instanceof PacketBuffer b) {
                inbox.set(i, null);
                inboxOut[k++] = b;
            }
        }
        if (k > 0) {
            POSTED.getAndAdd(this, -k);
            pipeline.deliverPosted(this, inboxOut, k);
        }
    }

    /** Work for a holder: the batch at {@code head} is done, or messages were posted. */
    private boolean pending() {
        Batch next = ring.get((int) (head & mask));
        return (next != null && next.done) || (int) POSTED.getVolatile(this) > 0;
    }

    /** Worker thread, after marking a batch of this lane done: send whatever is now in order. */
    void drain() {
        while (SENDING.compareAndSet(this, 0, 1)) {
            long h = head;
            try {
                for (; ; ) {
                    deliverInbox(); // posted messages go first: they were opened outside so as not to wait
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
            // A batch may have become done, or a message posted, while we held the flag and found it taken.
            if (!pending()) {
                return;
            }
        }
    }
}
