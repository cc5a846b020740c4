package dev.wgmesh.dataplane.buffer;

import java.lang.foreign.MemorySegment;

/**
 * One packet's storage as it travels TUN → queue → crypto → UDP (or back), reused from a {@link BufferPool}.
 *
 * <pre>
 *   data: [ headroom (16: transport header) | packet offset..offset+length | tailroom (padding + 16-byte tag) ]
 * </pre>
 *
 * <p>Plaintext is read into {@code data} at {@link #HEADROOM} so the transport header can be written in front and
 * the ciphertext and tag produced in place, without copying.
 *
 * <p>Ownership: exactly one stage owns a buffer at a time; it is handed on (in batches) or returned to its pool.
 * Fields are plain (not volatile): the hand-off through a concurrent queue publishes them.
 */
public final class PacketBuffer {
    /** Room in front of the payload for the transport-data header (type, receiver, counter). */
    public static final int HEADROOM = 16;
    /** Room behind the payload for padding to 16 bytes and the Poly1305 tag. */
    public static final int TAILROOM = 32;

    public byte[] data;
    /** Start of the valid bytes in {@link #data}. */
    public int offset;
    /** Number of valid bytes. */
    public int length;

    /** Monotonic time the packet entered a queue (CoDel sojourn time). */
    public long enqueueNanos;
    /** Hash of the inner flow (5-tuple), for flow queuing. */
    public int flowHash;
    /** Transport counter (nonce) assigned when the packet leaves the scheduler. */
    public long counter;
    /** Owning peer / keypair for the stage at hand; cleared on release. */
    public Object owner;
    /** Stage-specific scratch (e.g. a sequence number for reordering, or the direction in the crypto stage). */
    public long tag;
    /**
     * A second stage-specific reference, e.g. the keypair a transmit counter belongs to, or a datagram's source;
     * cleared on release.
     */
    public Object context;
    /** Intrusive link for allocation-free queues; only the queue that holds the buffer touches it. */
    public PacketBuffer next;

    final BufferPool pool;

    // Heap segments of data from the last two offsets native I/O used (segmentFrom): kept across reuse of the buffer
    private byte[] segmentsOf;
    private MemorySegment segment0;
    private MemorySegment segment1;
    private int segmentOffset0 = -1;
    private int segmentOffset1 = -1;

    PacketBuffer(BufferPool pool, int capacity) {
        this.pool = pool;
        this.data = new byte[capacity];
    }

    /** A buffer that belongs to no pool (tests, one-off control packets). */
    public static PacketBuffer unpooled(int capacity) {
        return new PacketBuffer(null, capacity);
    }

    public int capacity() {
        return data.length;
    }

    /**
     * Makes {@link #data} at least {@code capacity} bytes long, before it is filled: a packet larger than the pool's
     * buffers (a peer with a larger MTU, an MTU raised at run time) gets a larger array, which this buffer keeps from
     * then on. Why: buffers are sized for the interface MTU, not for the 64 KiB an IP packet may reach, so a pool of
     * thousands of them holds megabytes instead of hundreds, and the collector has little to copy when it grows. The
     * old contents are not kept. Allocates only when growing; owner thread only.
     *
     * @throws IllegalArgumentException when {@code capacity} exceeds {@link #MAX_CAPACITY}
     */
    public void reserve(int capacity) {
        if (capacity <= data.length) {
            return;
        }
        if (capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("packet buffer of " + capacity + " bytes");
        }
        data = new byte[Math.min(MAX_CAPACITY, (capacity + GROWTH_STEP - 1) & -GROWTH_STEP)];
    }

    /** The largest buffer {@link #reserve} makes: a 65,535-byte packet with headroom and tailroom. */
    public static final int MAX_CAPACITY = HEADROOM + 65535 + TAILROOM;

    /** Grown buffers are rounded up to this, so a run of slightly different sizes does not grow one each time. */
    private static final int GROWTH_STEP = 1024;

    /**
     * {@link #data} from {@code off} to its end as a heap memory segment, for a native call on it (a TUN read or
     * write). Why: making a segment of an array costs three small objects per call; a pooled buffer lives for the
     * device's lifetime and sees one or two offsets (read at the headroom, written a header in front of a decrypted
     * packet), so the last two are kept and steady-state I/O allocates nothing. Owner thread only, like every field.
     */
    public MemorySegment segmentFrom(int off) {
        if (segmentsOf != data) {
            segmentsOf = data;
            segmentOffset0 = -1;
            segmentOffset1 = -1;
        }
        if (off == segmentOffset0) {
            return segment0;
        }
        if (off == segmentOffset1) {
            return segment1;
        }
        segment1 = segment0;
        segmentOffset1 = segmentOffset0;
        segment0 = MemorySegment.ofArray(data).asSlice(off);
        segmentOffset0 = off;
        return segment0;
    }

    /** Resets the per-packet fields; called when the buffer goes back to its pool. */
    void clear() {
        offset = HEADROOM;
        length = 0;
        enqueueNanos = 0;
        flowHash = 0;
        counter = 0;
        owner = null;
        tag = 0;
        context = null;
        next = null;
    }

    /** Returns the buffer to its pool (no-op for unpooled buffers). The caller must not touch it afterwards. */
    public void release() {
        if (pool != null) {
            pool.release(this);
        }
    }
}
