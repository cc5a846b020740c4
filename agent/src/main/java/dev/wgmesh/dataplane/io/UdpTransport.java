package dev.wgmesh.dataplane.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * The outer side of a WireGuard device: UDP datagrams to and from peers (wireguard-go calls this a "bind").
 *
 * <p>Implementations: {@code MemoryNetwork} for tests, the FFM-backed dual-stack Linux socket for real use.
 *
 * <p>Threading: one or more receiver threads call {@link #receive}; any thread may call {@link #send}.
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
}
