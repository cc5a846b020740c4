package dev.wgmesh.dataplane.linux;

/**
 * Which rings of a multi-queue TUN are hot (carry a flood), and on which ring to write a flow's return traffic so
 * that the kernel moves the flow off a hot ring ({@link LinuxTunQueues}).
 *
 * <p>Why: the kernel puts a flow on the ring its return traffic was last written on, and a flow with no return
 * traffic (an unresponsive UDP flood) on a ring picked by its own hash. With our writes spread by flow hash, a ping
 * or another peer's TCP lands on the flood's ring with probability 1/rings, and there the kernel tail-drops it with
 * the flood before we read it. So: a ring that carried at least {@link #HOT_PACKETS} packets in a window of {@link
 * #WINDOW_NANOS} is hot, and stays hot until it has carried fewer than half of that for {@link #COOL_NANOS}. The
 * flow that carried most of a hot ring's packets (a majority vote over one sampled packet per read) is its heavy
 * flow and stays there; every other flow whose hash picks a hot ring is written on a cold ring instead, chosen by
 * its hash, so it keeps to one ring while the hot set holds. Packets are counted as the reader hands them on, so a
 * TCP super-packet counts as its segments: a bulk TCP flow makes its ring hot too, stays there as its heavy flow, and
 * the flows that shared its ring move off it, as off a flood's.
 *
 * <p>Threading: {@link #read} and {@link #endOfCall} from the one reader thread; {@link #ringFor} from any writer
 * thread (one volatile read of the hot set; the heavy flows are published before it).
 */
final class RingHeat {
    /** Length of a counting window. */
    static final long WINDOW_NANOS = 50_000_000L;
    /** Packets one ring must carry in a window to be hot: 20,000 a second. */
    static final int HOT_PACKETS = 1_000;
    /** How long a hot ring must stay below half of {@link #HOT_PACKETS} per window before it is cold again. */
    static final long COOL_NANOS = 1_000_000_000L;

    private final int rings;
    private final long all;
    // reader thread only
    private final int[] count;
    private final int[] candidate;
    private final int[] votes;
    private final long[] lastHot;
    private long windowStart;
    private boolean started;
    private long hotLocal;
    // published: heavy[] written by the reader before the volatile write of hot, read by writers after reading it
    private final int[] heavy;
    private volatile long hot;

    RingHeat(int rings) {
        if (rings < 1 || rings > 64) {
            throw new IllegalArgumentException("rings must be 1 to 64: " + rings);
        }
        this.rings = rings;
        this.all = rings == 64 ? -1L : (1L << rings) - 1;
        this.count = new int[rings];
        this.candidate = new int[rings];
        this.votes = new int[rings];
        this.lastHot = new long[rings];
        this.heavy = new int[rings];
    }

    /** Reader: {@code n} packets read from {@code ring}; {@code sampleFlow} is the flow hash of one of them. */
    void read(int ring, int n, int sampleFlow) {
        count[ring] += n;
        if (votes[ring] == 0) {
            candidate[ring] = sampleFlow;
            votes[ring] = 1;
        } else if (candidate[ring] == sampleFlow) {
            votes[ring]++;
        } else {
            votes[ring]--;
        }
    }

    /** Reader: after a read call; closes the window when it is over (the only time the clock matters). */
    void endOfCall(long now) {
        if (!started) {
            started = true;
            windowStart = now;
            return;
        }
        if (now - windowStart < WINDOW_NANOS) {
            return;
        }
        // A long idle gap counts as one window: packets per window can only be fewer than during it, never more.
        long h = hotLocal;
        for (int q = 0; q < rings; q++) {
            long bit = 1L << q;
            if (count[q] >= HOT_PACKETS) {
                h |= bit;
                lastHot[q] = now;
                heavy[q] = candidate[q];
            } else if (count[q] >= HOT_PACKETS / 2 && (h & bit) != 0) {
                lastHot[q] = now; // still warm: keep it hot
            } else if ((h & bit) != 0 && now - lastHot[q] >= COOL_NANOS) {
                h &= ~bit;
            }
            count[q] = 0;
            votes[q] = 0;
        }
        windowStart = now;
        if (h != hotLocal || h != 0) {
            hotLocal = h;
            hot = h; // publishes heavy[] too
        }
    }

    /** The hot rings, bit q for ring q. */
    long hot() {
        return hot;
    }

    /**
     * Writer: the ring for a packet of the flow {@code flow} (a symmetric flow hash) given the hot set {@code hot}
     * read once per batch ({@link #hot()}): the heavy flow of a hot ring keeps to that ring, another flow whose own
     * ring is hot goes to a cold ring picked by its hash, any other flow to its own ring.
     */
    int ringFor(int flow, long hot) {
        int own = scale(flow, rings);
        if (hot == 0) {
            return own;
        }
        for (long bits = hot; bits != 0; bits &= bits - 1) {
            int q = Long.numberOfTrailingZeros(bits);
            if (heavy[q] == flow) {
                return q;
            }
        }
        long cold = all & ~hot;
        if ((hot & (1L << own)) == 0 || cold == 0) {
            return own;
        }
        int pick = scale(flow * 0x9e3779b9, Long.bitCount(cold));
        for (int i = 0; i < pick; i++) {
            cold &= cold - 1;
        }
        return Long.numberOfTrailingZeros(cold);
    }

    /** Maps a 32-bit hash onto {@code 0..n-1} (multiply and shift, as the kernel spreads flows over queues). */
    static int scale(int hash, int n) {
        return (int) (((hash & 0xffffffffL) * n) >>> 32);
    }
}
