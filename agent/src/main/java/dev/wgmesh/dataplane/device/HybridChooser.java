package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.queue.Tin;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import java.util.Locale;

/**
 * {@link DataPathMode#HYBRID}'s per-peer choice on the transmit side, from the peer's measured packet rate: an
 * elephant (a peer sending at least {@code enterPps}) is handed to the parallel path — FQ-CoDel, DRR across peers,
 * crypto on every core — and mice stay inline on the TUN reader, with no hand-off and no queue.
 *
 * <ul>
 *   <li>Measured per {@link #WINDOW_NANOS} window on the TUN reader thread (the only caller): a counter per packet
 *       and one clock read, no allocation.
 *   <li>Enter parallel as soon as one window reaches {@code enterPps}; leave only after {@link #QUIET_WINDOWS}
 *       consecutive windows below a quarter of it <em>and</em> once the peer's hand-off queue and tin are empty, so
 *       inline packets do not overtake queued ones (batches already at the workers are at most about 1 ms of work:
 *       the receiver's replay window absorbs that, and TCP sees a single brief reordering per switch).
 *   <li>Mixing is safe on transmit: both paths take counters from the keypair's atomic counter, and the send-side
 *       timer hooks already run on several threads inline.
 * </ul>
 *
 * <p>Receive is not split: in hybrid mode every transport message goes through the parallel path's receive tins,
 * because the replay filter must see one peer's packets on one thread at a time, and a mid-stream switch would
 * need the peer's whole pipeline drained first.
 */
final class HybridChooser {
    static final long WINDOW_NANOS = 10_000_000L;
    static final int QUIET_WINDOWS = 50;
    /** System property (or, upper-cased with underscores, environment variable) for {@code enterPps}. */
    static final String PPS_PROPERTY = "wgmesh.hybrid.pps";
    /**
     * About 70 Mbit/s of full-size packets: one core seals several times that inline, but above it a peer's burst
     * is long enough that spreading it over the cores and managing its queue pays.
     */
    static final int DEFAULT_ENTER_PPS = 6_000;

    private final int enterPerWindow;
    private final int leavePerWindow;

    HybridChooser(int enterPps) {
        if (enterPps < 100) {
            throw new IllegalArgumentException("hybrid threshold must be at least 100 packets/s, got " + enterPps);
        }
        this.enterPerWindow = (int) (enterPps * WINDOW_NANOS / 1_000_000_000L);
        this.leavePerWindow = Math.max(1, enterPerWindow / 4);
    }

    /** The threshold from {@value #PPS_PROPERTY} or {@code WGMESH_HYBRID_PPS}, else the default. */
    static HybridChooser fromEnvironment() {
        String v = System.getProperty(PPS_PROPERTY);
        if (v == null) {
            v = System.getenv(PPS_PROPERTY.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        if (v == null || v.isBlank()) {
            return new HybridChooser(DEFAULT_ENTER_PPS);
        }
        try {
            return new HybridChooser(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hybrid threshold '" + v + "' is not a number of packets/s", e);
        }
    }

    /** TUN reader, once per routed packet: true to hand it to the parallel path, false to send it inline. */
    boolean parallel(Peer peer, long now) {
        return parallel(peer.sendState, now);
    }

    boolean parallel(ParallelDataPath.PeerSendState s, long now) {
        State h = s.hybrid;
        long elapsed = now - h.windowStart;
        if (elapsed >= WINDOW_NANOS) {
            closeWindows(s, h, elapsed / WINDOW_NANOS);
            h.windowStart = now;
            h.count = 0;
        }
        h.count++;
        return h.parallel;
    }

    private void closeWindows(ParallelDataPath.PeerSendState s, State h, long windows) {
        if (h.count >= enterPerWindow) {
            h.parallel = true;
            h.quiet = 0;
            return;
        }
        if (!h.parallel) {
            return;
        }
        if (h.count > leavePerWindow) {
            h.quiet = 0;
            return;
        }
        h.quiet += windows; // windows without any packet are quiet too
        if (h.quiet >= QUIET_WINDOWS && drained(s)) {
            h.parallel = false;
            h.quiet = 0;
        }
    }

    private static boolean drained(ParallelDataPath.PeerSendState s) {
        Tin tin = s.lastTin;
        return !s.hasHandoff() && (tin == null || tin.stats().get(PeerQueueStats.QUEUED_PACKETS) == 0);
    }

    /** Per-peer measurement; TUN reader thread only, but for {@code parallel}. */
    static final class State {
        long windowStart;
        int count;
        long quiet;
        /** Written by the TUN reader; others read it to send a keepalive the way the peer's data goes. */
        volatile boolean parallel;
    }
}
