package dev.wgmesh.dataplane.io;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.io.Closeable;
import java.io.IOException;

/**
 * The outer side of a WireGuard device: UDP datagrams to and from peers (wireguard-go calls this a "bind").
 *
 * <p>Implementations: {@code MemoryNetwork} for tests, the FFM-backed dual-stack Linux socket for real use.
 *
 * <p>Threading: one or more receiver threads call {@link #receive} or {@link #receiveBatch}; any thread may call
 * {@link #send} or {@link #sendBatch}.
 *
 * <p>Batches: the batch methods move many datagrams per system call where the platform can (Linux {@code recvmmsg}
 * and {@code sendmmsg}, UDP GRO and GSO); the defaults move one datagram per call through the single methods.
 */
public interface UdpTransport extends Closeable {

    /**
     * (Re)binds to {@code port} on all addresses, IPv4 and IPv6 (0 picks a free port). Receivers blocked in
     * {@link #receive} keep working: they move to the new socket atomically.
     *
     * @return the port actually bound
     */
    int bind(int port) throws IOException;

    /** The bound port, or 0 when not bound. */
    int localPort();

    /** Sets SO_MARK on outgoing packets (0 clears it). In-memory transports ignore it. */
    void setFwmark(int mark) throws IOException;

    /**
     * Blocks until one datagram arrives, copies it to {@code buf[off..off+len)} and writes its source (and the local
     * address it arrived on, for sticky replies) into {@code from} without allocating.
     *
     * @return the datagram length, or {@code -1} once the transport is closed
     */
    int receive(byte[] buf, int off, int len, Endpoint from) throws IOException;

    /**
     * Sends {@code buf[off..off+len)} to {@code to}, from {@code to}'s sticky source address when it has one; if that
     * address is gone the implementation clears it and lets the routing table choose.
     */
    void send(byte[] buf, int off, int len, Endpoint to) throws IOException;

    /**
     * Blocks until at least one datagram arrives, then returns it and any more that are ready at once, up to {@code
     * count}: datagram {@code i} is copied to {@code bufs[i].data} at 0 ({@code offset} set to 0, {@code length} to
     * its size) and its source written to {@code from[i]}. A coalesced receive (UDP GRO) is split back into its
     * datagrams, so callers should offer at least 64 buffers; datagrams beyond {@code count} are dropped.
     *
     * @return the number of datagrams (at least 1), or {@code -1} once the transport is closed
     */
    default int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        PacketBuffer b = bufs[0];
        int n = receive(b.data, 0, b.data.length, from[0]);
        if (n < 0) {
            return -1;
        }
        b.offset = 0;
        b.length = n;
        return 1;
    }

    /**
     * As {@link #receiveBatch}, but never blocks: the datagrams ready now, up to {@code count}, possibly none. An
     * inline receiver with messages queued in its own FQ-CoDel polls with this between rounds of decryption, so the
     * socket's receive buffer (an unmanaged FIFO of megabytes) stays drained. The default receives nothing, which is
     * correct but leaves datagrams in the socket until the queued ones are served.
     *
     * @return the number of datagrams (0 when none is ready), or {@code -1} once the transport is closed
     */
    default int receiveBatchNow(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        return 0;
    }

    /**
     * Sends {@code bufs[i].data[offset..offset+length)} to {@code to[i]} for each {@code i < count}, in order.
     * Consecutive datagrams to the same endpoint may leave in one system call (UDP GSO); the buffers stay the
     * caller's.
     *
     * @return the number of datagrams that could not be sent (the caller counts them)
     */
    default int sendBatch(PacketBuffer[] bufs, Endpoint[] to, int count) {
        int failed = 0;
        for (int i = 0; i < count; i++) {
            PacketBuffer b = bufs[i];
            try {
                send(b.data, b.offset, b.length, to[i]);
            } catch (IOException e) {
                failed++;
            }
        }
        return failed;
    }
}
