package dev.wgmesh.dataplane.device;

/**
 * How many small packets one I/O thread may take past the parallel path's hand-off, dispatcher and tins per
 * millisecond (the express path of {@link DataPathMode#PARALLEL} and {@link DataPathMode#HYBRID}, see {@link
 * ParallelDataPath}), and, where the inner flow is known (transmit), whether a flow is sparse enough to take it.
 *
 * <p>Why a budget: the express path is there for pings, TCP acknowledgements and DNS queries, which gain a whole
 * round through the busiest thread (the dispatcher) and cost the I/O thread a fraction of a microsecond of crypto
 * each. A flood of small packets must not turn the I/O thread into an unscheduled crypto worker that bypasses
 * FQ-CoDel and the fairness between peers: past the budget, small packets take the queued path like any other.
 * {@value #PER_WINDOW} per window of about a millisecond is some 120,000 packets/s and about 3% of a core of crypto.
 *
 * <p>Why sparse flows only on transmit ({@link #takeSparse}): a bulk flow's stream of acknowledgements would
 * otherwise take the budget first in every window (a ping behind it would not get any), and it would be split
 * between the two paths, its packets overtaking each other every millisecond. A flow is sparse while it sent fewer
 * than {@value #PER_FLOW} packets in the window before and in this one (FQ-CoDel's idea of a new flow, by rate):
 * a bulk flow's acknowledgements stay on the queued path after their first millisecond. Flows are told apart by
 * their hash in {@value #FLOW_SLOTS} slots; two flows sharing a slot count as one.
 *
 * <p>Threading: one instance per I/O thread; no synchronisation, no allocation.
 */
final class ExpressBudget {
    /** Express packets per window. */
    static final int PER_WINDOW = 128;
    /** A flow with this many packets in the previous or the current window is not sparse. */
    static final int PER_FLOW = 8;

    private static final int FLOW_SLOTS = 256;
    /** A window is 2^20 ns (1.05 ms) of {@link System#nanoTime}. */
    private static final int WINDOW_SHIFT = 20;

    private long window = Long.MIN_VALUE;
    private int left;
    /** Per flow slot: the window its counts belong to, packets in it, and packets in the window before. */
    private final long[] slotWindow = new long[FLOW_SLOTS];

    private final int[] slotCount = new int[FLOW_SLOTS];
    private final int[] slotBefore = new int[FLOW_SLOTS];

    ExpressBudget() {
        java.util.Arrays.fill(slotWindow, Long.MIN_VALUE);
    }

    /** True, and counts one, while the window at {@code nowNanos} has budget left. */
    boolean take(long nowNanos) {
        long w = nowNanos >> WINDOW_SHIFT;
        if (w != window) {
            window = w;
            left = PER_WINDOW;
        }
        if (left == 0) {
            return false;
        }
        left--;
        return true;
    }

    /**
     * Counts a packet of the flow with hash {@code flowHash}; true, taking budget ({@link #take}), when the flow is
     * sparse and budget is left.
     */
    boolean takeSparse(long nowNanos, int flowHash) {
        long w = nowNanos >> WINDOW_SHIFT;
        int slot = flowHash & (FLOW_SLOTS - 1);
        if (slotWindow[slot] != w) {
            slotBefore[slot] = slotWindow[slot] == w - 1 ? slotCount[slot] : 0;
            slotCount[slot] = 0;
            slotWindow[slot] = w;
        }
        int count = slotCount[slot]++;
        return count < PER_FLOW && slotBefore[slot] < PER_FLOW && take(nowNanos);
    }
}
