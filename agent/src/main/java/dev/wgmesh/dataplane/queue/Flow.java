package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * One FQ-CoDel flow queue: a FIFO of buffers linked through {@link PacketBuffer#next}, its DRR deficit, its CoDel
 * variables and its place on a tin's new/old list. Owned by the scheduler thread.
 */
final class Flow {
    static final int NO_LIST = 0;
    static final int NEW_LIST = 1;
    static final int OLD_LIST = 2;

    /** Index in the shared flow array, or -1 for a tin's default (collision) flow. */
    final int index;

    final Codel.State codel = new Codel.State();
    PacketBuffer head;
    PacketBuffer tail;
    int packets;
    /** Bytes queued, charged as packet length + per-packet overhead (what DRR and CoDel see). */
    long backlog;
    /** Buffer memory held (buffer capacity per packet), for the memory limit. */
    long memory;

    int deficit;
    /** The tin using this flow while it is on one of that tin's lists; null when idle. */
    Tin tin;

    int list = NO_LIST;
    Flow nextInList;

    Flow(int index) {
        this.index = index;
    }

    void add(PacketBuffer b) {
        b.next = null;
        if (tail == null) {
            head = b;
        } else {
            tail.next = b;
        }
        tail = b;
        packets++;
    }

    PacketBuffer poll() {
        PacketBuffer b = head;
        if (b != null) {
            head = b.next;
            if (head == null) {
                tail = null;
            }
            b.next = null;
            packets--;
        }
        return b;
    }
}
