package dev.wgmesh.agent.probe;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Probe state of one peer: a ring of outstanding probes and the figures of the current report interval.
 *
 * <p>Threads: the sender thread sends, times out and rotates the interval; the receiver thread settles answered
 * probes. Each probe is settled exactly once, by whichever thread wins the compare-and-set on its ring entry (answer
 * vs. timeout). The interval figures are guarded by {@code this}; at one probe per second the lock is uncontended.
 */
final class PeerProbe {
    /** Ring size: probes that can be outstanding at once; the timeout must stay below RING probe intervals. */
    static final int RING = 64;

    private static final long FREE = -1;

    final String id;
    final InetSocketAddress target;
    final int slot;
    final int generation;

    /** seq of the probe outstanding in each ring entry, or FREE once settled. */
    private final AtomicLongArray outstanding = new AtomicLongArray(RING);
    /** Send time of each ring entry; written before the entry is published through {@link #outstanding}. */
    private final long[] sentNanos = new long[RING];

    // Sender thread only.
    long nextSeq;
    long nextDueNanos;
    long intervalEndNanos;

    private volatile long lastRttMicros;
    private volatile ProbeFigures published = ProbeFigures.NONE;

    // guarded by this
    private final RttHistogram rtts = new RttHistogram();
    // guarded by this
    private long lost;

    PeerProbe(String id, InetSocketAddress target, int slot, int generation, long nowNanos, long reportNanos) {
        this.id = id;
        this.target = target;
        this.slot = slot;
        this.generation = generation;
        for (int i = 0; i < RING; i++) {
            outstanding.set(i, FREE);
        }
        this.nextDueNanos = nowNanos;
        this.intervalEndNanos = nowNanos + reportNanos;
    }

    /** Sender thread: records a probe about to be sent; a probe still outstanding in its entry counts as lost. */
    long begin(long nowNanos) {
        long seq = nextSeq++ & 0xffffffffL;
        int i = (int) (seq & (RING - 1));
        long old = outstanding.get(i);
        if (old != FREE && outstanding.compareAndSet(i, old, FREE)) {
            countLost();
        }
        sentNanos[i] = nowNanos;
        outstanding.set(i, seq);
        return seq;
    }

    /** Sender thread: settles probes older than the timeout as lost. */
    void expire(long nowNanos, long timeoutNanos) {
        for (int i = 0; i < RING; i++) {
            long seq = outstanding.get(i);
            if (seq != FREE && nowNanos - sentNanos[i] > timeoutNanos && outstanding.compareAndSet(i, seq, FREE)) {
                countLost();
            }
        }
    }

    /**
     * Receiver thread: settles an answered probe. Returns false (the packet is ignored) when {@code seq} is not
     * outstanding or the echoed send time is not the one we sent.
     */
    boolean answer(long seq, long echoedSendNanos, long nowNanos) {
        int i = (int) (seq & (RING - 1));
        if (outstanding.get(i) != seq) { // the volatile read orders the sentNanos read after the sender's write
            return false;
        }
        long sent = sentNanos[i];
        if (sent != echoedSendNanos || !outstanding.compareAndSet(i, seq, FREE)) {
            return false;
        }
        long rtt = (nowNanos - sent) / 1000;
        lastRttMicros = Math.max(1, rtt);
        synchronized (this) {
            rtts.record(rtt);
        }
        return true;
    }

    private synchronized void countLost() {
        lost++;
    }

    /** Sender thread: publishes the finished interval's figures and starts a new one. */
    synchronized void rotate() {
        published = new ProbeFigures(0, rtts.min(), rtts.mean(), rtts.percentile(0.99), rtts.count(), lost);
        rtts.reset();
        lost = 0;
    }

    ProbeFigures figures() {
        return published.withLast(lastRttMicros);
    }
}
