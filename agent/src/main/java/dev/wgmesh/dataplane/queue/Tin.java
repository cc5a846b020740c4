package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.stats.PeerQueueStats;

/**
 * One peer's share of the FQ-CoDel structure (a "tin" in {@code include/net/fq.h}): its new-flows and old-flows
 * lists, a default flow that takes packets whose flow slot is held by another tin, its backlog and statistics, and
 * the peer-level DRR state used by {@link PeerScheduler}. Created and touched only by the scheduler thread, except
 * {@link #stats()} which anyone may read.
 */
public final class Tin {
    final Object owner;
    final CounterSource counters;
    final Flow defaultFlow = new Flow(-1);
    final PeerQueueStats stats = new PeerQueueStats();

    Flow newHead;
    Flow newTail;
    Flow oldHead;
    Flow oldTail;
    int packets;
    long backlog;
    boolean removed;

    // Peer-level DRR (PeerScheduler); guarded by the scheduler thread.
    int peerDeficit;
    boolean active;
    /** On the scheduler's parked list (its counter source was not ready); {@code nextActive} links that list. */
    boolean parked;

    Tin nextActive;

    Tin(Object owner, CounterSource counters) {
        this.owner = owner;
        this.counters = counters;
    }

    /** The device's handle for the peer (copied into {@code PacketBuffer.owner} when a packet leaves). */
    public Object owner() {
        return owner;
    }

    public PeerQueueStats stats() {
        return stats;
    }

    /** Packets queued (scheduler thread; others read {@link #stats()}). */
    public int packets() {
        return packets;
    }

    /** True while parked because its counter source was not ready (scheduler thread). */
    public boolean isParked() {
        return parked;
    }

    /** Bytes queued, as charged to DRR (scheduler thread). */
    public long backlog() {
        return backlog;
    }

    void append(Flow f, int list) {
        f.list = list;
        f.nextInList = null;
        if (list == Flow.NEW_LIST) {
            if (newTail == null) {
                newHead = f;
            } else {
                newTail.nextInList = f;
            }
            newTail = f;
        } else {
            if (oldTail == null) {
                oldHead = f;
            } else {
                oldTail.nextInList = f;
            }
            oldTail = f;
        }
    }

    /** Removes the head of the given list (the dequeue loop only ever works on list heads). */
    Flow popHead(int list) {
        Flow f;
        if (list == Flow.NEW_LIST) {
            f = newHead;
            newHead = f.nextInList;
            if (newHead == null) {
                newTail = null;
            }
        } else {
            f = oldHead;
            oldHead = f.nextInList;
            if (oldHead == null) {
                oldTail = null;
            }
        }
        f.nextInList = null;
        f.list = Flow.NO_LIST;
        return f;
    }
}
