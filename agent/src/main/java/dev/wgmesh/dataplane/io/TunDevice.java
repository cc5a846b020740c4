package dev.wgmesh.dataplane.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * The tunnel side of a WireGuard device: plaintext IP packets (no packet-information header) to and from the host.
 *
 * <p>Implementations: {@code MemoryTun} for tests (two devices in one JVM), the FFM-backed Linux TUN for real use.
 *
 * <p>Threading: {@link #read} is called by reader threads only and {@link #write} by writer threads only; an
 * implementation documents how many of each it supports (a multi-queue TUN has one reader per queue).
 */
public interface TunDevice extends Closeable {

    /** The interface name as the host knows it, e.g. {@code wg0}. */
    String name();

    /** The current MTU. Implementations follow runtime changes ({@code ip link set mtu}). */
    int mtu() throws IOException;

    /**
     * Blocks until one IP packet is available and copies it to {@code buf[off..off+len)}.
     *
     * @return the packet length, or {@code -1} once the device is closed or removed
     */
    int read(byte[] buf, int off, int len) throws IOException;

    /** Hands one IP packet, {@code buf[off..off+len)}, to the host's stack. Never blocks for long. */
    void write(byte[] buf, int off, int len) throws IOException;
}
