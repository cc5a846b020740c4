package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.UdpTransport;

/**
 * Sealed transport messages of one inline sender thread, collected while it works through a batch read from the TUN
 * and then handed to {@link UdpTransport#sendBatch} in one go (sendmmsg, UDP GSO runs). Owned by one thread; the
 * buffers it holds are released after sending. Full batches are sent as they fill.
 */
final class TxBatch {
    private final UdpTransport udp;
    private final DeviceCounters counters;
    private final PacketBuffer[] bufs;
    private final Endpoint[] to;
    private int count;

    TxBatch(UdpTransport udp, DeviceCounters counters, int capacity) {
        this.udp = udp;
        this.counters = counters;
        this.bufs = new PacketBuffer[capacity];
        this.to = new Endpoint[capacity];
    }

    /** Takes ownership of {@code b}, which spans the whole transport message ({@code offset}, {@code length}). */
    void add(PacketBuffer b, Endpoint ep) {
        if (count == bufs.length) {
            flush();
        }
        bufs[count] = b;
        to[count] = ep;
        count++;
    }

    /** Sends what was collected, counts what the transport could not send, releases every buffer. */
    void flush() {
        if (count == 0) {
            return;
        }
        int failed = udp.sendBatch(bufs, to, count);
        if (failed > 0) {
            counters.drop(DropReason.IO_ERROR, failed);
        }
        for (int i = 0; i < count; i++) {
            bufs[i].release();
            bufs[i] = null;
            to[i] = null;
        }
        count = 0;
    }
}
