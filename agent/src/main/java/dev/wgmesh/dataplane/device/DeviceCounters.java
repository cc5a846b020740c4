package dev.wgmesh.dataplane.device;

import java.util.concurrent.atomic.LongAdder;

/**
 * Device-wide counters, cheap enough to leave on: one {@link LongAdder} per drop reason plus a few events.
 * Thread-safe and allocation-free after construction.
 */
public final class DeviceCounters {
    private final LongAdder[] drops = new LongAdder[DropReason.values().length];
    private final LongAdder cookieRepliesSent = new LongAdder();
    private final LongAdder handshakesCompleted = new LongAdder();
    private final LongAdder initiationsSent = new LongAdder();
    private final LongAdder expressSent = new LongAdder();
    private final LongAdder expressReceived = new LongAdder();

    DeviceCounters() {
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    void drop(DropReason reason) {
        drops[reason.ordinal()].increment();
    }

    void drop(DropReason reason, int n) {
        drops[reason.ordinal()].add(n);
    }

    public long drops(DropReason reason) {
        return drops[reason.ordinal()].sum();
    }

    void cookieReplySent() {
        cookieRepliesSent.increment();
    }

    void initiationSent() {
        initiationsSent.increment();
    }

    void handshakeCompleted() {
        handshakesCompleted.increment();
    }

    public long cookieRepliesSent() {
        return cookieRepliesSent.sum();
    }

    public long initiationsSent() {
        return initiationsSent.sum();
    }

    void expressSent() {
        expressSent.increment();
    }

    void expressReceived() {
        expressReceived.increment();
    }

    /** Small packets the TUN reader sealed itself past the parallel path's queues (its express path). */
    public long expressSentPackets() {
        return expressSent.sum();
    }

    /** Small messages a UDP receiver opened itself past the parallel path's queues (its express path). */
    public long expressReceivedPackets() {
        return expressReceived.sum();
    }

    /** Sessions derived (either role). */
    public long handshakesCompleted() {
        return handshakesCompleted.sum();
    }
}
