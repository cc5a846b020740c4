package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * CoDel, the dequeue-side active queue management of RFC 8289, as a state machine over one queue.
 *
 * <p>The parameters live here and are shared; the per-queue variables live in {@link State} (one per FQ-CoDel flow).
 * On each dequeue the packet's sojourn time ({@code now - enqueueNanos}) is compared with the target:
 *
 * <ul>
 *   <li>once it has stayed at or above {@code target} for a whole {@code interval} while more than one MTU is
 *       queued, CoDel enters the dropping state and drops (or ECN-marks) the packet (RFC 8289 §4.2–4.3);
 *   <li>while dropping, the next drop is due at {@code dropNext + interval / sqrt(count)} (the control law, §4.3),
 *       with 1/sqrt computed in Q0.32 fixed point from a table and Newton steps, as Linux does, never with floats;
 *   <li>on re-entering the dropping state soon after leaving it ({@code now - dropNext < 16 * interval}), the count
 *       resumes from the previous episode's increase instead of 1 (§5.6, the "delta" of the pseudocode).
 * </ul>
 *
 * <p>With {@code ecn} set, an ECN-capable packet is marked CE and delivered instead of dropped (§5.3; Linux marks in
 * both the first and the following drops). Not thread-safe: called by the one thread that dequeues.
 */
public final class Codel {
    public static final long DEFAULT_TARGET_NANOS = 5_000_000L;
    public static final long DEFAULT_INTERVAL_NANOS = 100_000_000L;

    /** Counts below this take 1/sqrt(count) from the table; above it, a Newton step per increment. */
    static final int TABLE_SIZE = 4096;

    /** 1/sqrt(n) in unsigned Q0.32 (stored in int bits), n = 1..TABLE_SIZE-1; [1] is saturated to 2^32-1. */
    private static final int[] INV_SQRT = new int[TABLE_SIZE];

    static {
        for (int n = 1; n < TABLE_SIZE; n++) {
            // Computed once at class load; the hot path only reads the table.
            long v = (long) Math.floor(4294967296.0 / Math.sqrt(n));
            INV_SQRT[n] = (int) Math.min(v, 0xffff_ffffL);
        }
    }

    /** The queue CoDel manages. All methods are called from the dequeuing thread. */
    public interface Queue {
        /** Removes and returns the head packet (backlog already reduced by it), or null when empty. */
        PacketBuffer pollHead();

        /** Bytes still queued after the packet just removed. */
        long backlogBytes();

        /** The packet was dropped by CoDel: count it and return its buffer to its pool. */
        void onCodelDrop(PacketBuffer b);

        /** The packet was ECN-marked instead of dropped: count it (it is still delivered). */
        void onCodelMark(PacketBuffer b);
    }

    /** Per-queue variables (RFC 8289 §5.1 / Linux {@code struct codel_vars}). */
    public static final class State {
        int count;
        int lastCount;
        boolean dropping;
        /** 1/sqrt(count) in unsigned Q0.32. */
        long recInvSqrt;

        long firstAboveTime;
        long dropNext;
        /** Sojourn time of the last packet examined. */
        long lastSojourn;

        public boolean dropping() {
            return dropping;
        }

        public int count() {
            return count;
        }

        public long dropNext() {
            return dropNext;
        }

        public long lastSojourn() {
            return lastSojourn;
        }
    }

    private final long target;
    private final long interval;
    private final long mtu;
    private final boolean ecn;

    /**
     * @param targetNanos acceptable standing queue delay (RFC: 5 ms)
     * @param intervalNanos the window in which the delay must drop below target (RFC: 100 ms, about a worst-case RTT)
     * @param mtu bytes; CoDel never drops when no more than one MTU is queued (§4.2, "maxpacket")
     * @param ecn mark ECN-capable packets instead of dropping them
     */
    public Codel(long targetNanos, long intervalNanos, int mtu, boolean ecn) {
        if (targetNanos <= 0 || intervalNanos <= 0 || targetNanos >= intervalNanos || mtu <= 0) {
            throw new IllegalArgumentException("CoDel needs 0 < target < interval and a positive MTU");
        }
        this.target = targetNanos;
        this.interval = intervalNanos;
        this.mtu = mtu;
        this.ecn = ecn;
    }

    /**
     * Dequeues the next packet to deliver, dropping or marking on the way as the control law says.
     *
     * @return the packet to send, or null when the queue ran empty
     */
    public PacketBuffer dequeue(State s, Queue q, long now) {
        PacketBuffer p = q.pollHead();
        if (p == null) {
            s.dropping = false;
            s.firstAboveTime = 0;
            return null;
        }
        boolean okToDrop = shouldDrop(s, q, p, now);
        if (s.dropping) {
            if (!okToDrop) {
                s.dropping = false; // sojourn back below target: leave the dropping state (§4.4)
            } else {
                while (s.dropping && now - s.dropNext >= 0) {
                    s.count++;
                    s.recInvSqrt = nextInvSqrt(s.count, s.recInvSqrt);
                    if (ecn && mark(p)) {
                        q.onCodelMark(p);
                        s.dropNext = controlLaw(s.dropNext, s.recInvSqrt);
                        return p;
                    }
                    q.onCodelDrop(p);
                    p = q.pollHead();
                    if (p == null || !shouldDrop(s, q, p, now)) {
                        s.dropping = false;
                    } else {
                        s.dropNext = controlLaw(s.dropNext, s.recInvSqrt);
                    }
                }
            }
        } else if (okToDrop) {
            if (ecn && mark(p)) {
                q.onCodelMark(p);
            } else {
                q.onCodelDrop(p);
                p = q.pollHead();
                if (p != null) {
                    shouldDrop(s, q, p, now); // keeps firstAboveTime and the sojourn up to date
                }
            }
            s.dropping = true;
            int delta = s.count - s.lastCount;
            if (delta > 1 && now - s.dropNext < 16 * interval) {
                s.count = delta; // quick re-entry: resume near the previous drop rate (RFC 8289 §5.6)
                s.recInvSqrt = invSqrt(delta);
            } else {
                s.count = 1;
                s.recInvSqrt = invSqrt(1);
            }
            s.lastCount = s.count;
            s.dropNext = controlLaw(now, s.recInvSqrt);
        }
        if (p == null) {
            s.dropping = false;
        }
        return p;
    }

    private boolean shouldDrop(State s, Queue q, PacketBuffer p, long now) {
        long sojourn = now - p.enqueueNanos;
        s.lastSojourn = sojourn;
        if (sojourn < target || q.backlogBytes() <= mtu) {
            s.firstAboveTime = 0;
            return false;
        }
        if (s.firstAboveTime == 0) {
            s.firstAboveTime = now + interval; // 0 means "unset"; a clock reading of exactly 0 costs one interval
            return false;
        }
        return now - s.firstAboveTime >= 0;
    }

    private static boolean mark(PacketBuffer p) {
        return Ecn.markCe(p.data, p.offset, p.length);
    }

    /** The control law: t + interval / sqrt(count), with 1/sqrt(count) in Q0.32. */
    long controlLaw(long t, long recInvSqrt) {
        return t + ((interval * recInvSqrt) >>> 32);
    }

    /** 1/sqrt(count) in unsigned Q0.32. */
    static long invSqrt(int count) {
        if (count < TABLE_SIZE) {
            return INV_SQRT[Math.max(count, 1)] & 0xffff_ffffL;
        }
        // 1/sqrt(n) = 1/sqrt(n / 4^k) / 2^k: start from the table, then polish with Newton steps.
        int k = 0;
        while ((count >>> (2 * k)) >= TABLE_SIZE) {
            k++;
        }
        long v = (INV_SQRT[count >>> (2 * k)] & 0xffff_ffffL) >>> k;
        for (int i = 0; i < 3; i++) {
            v = newtonStep(v, count);
        }
        return v;
    }

    private static long nextInvSqrt(int count, long previous) {
        return count < TABLE_SIZE ? INV_SQRT[count] & 0xffff_ffffL : newtonStep(previous, count);
    }

    /**
     * One Newton–Raphson step of y' = y (3 - n y²) / 2 in Q0.32 (Linux {@code codel_Newton_step}), with 128-bit
     * intermediate products so the step keeps full 32-bit precision.
     */
    static long newtonStep(long y, int n) {
        long ny = n * y; // < 2^63 for any int n and y < 2^32 / sqrt(n) * 2
        long ny2 = (Math.multiplyHigh(ny, y) << 32) | ((ny * y) >>> 32); // n y² in Q0.32
        long t = (3L << 32) - ny2; // Q2.32, positive near convergence
        return (Math.multiplyHigh(y, t) << 31) | ((y * t) >>> 33); // y t / 2 in Q0.32
    }

    public long targetNanos() {
        return target;
    }

    public long intervalNanos() {
        return interval;
    }
}
