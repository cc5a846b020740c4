package dev.wgmesh.dataplane.io;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import java.io.Closeable;
import java.io.IOException;

/**
 * The tunnel side of a WireGuard device: plaintext IP packets (no packet-information header) to and from the host.
 *
 * <p>Implementations: {@code MemoryTun} for tests (two devices in one JVM), the FFM-backed Linux TUN for real use.
 *
 * <p>Threading: {@link #read} and {@link #readBatch} are called by reader threads only, {@link #write} and {@link
 * #writeBatch} by writer threads only; an implementation documents how many of each it supports (a multi-queue TUN
 * has one reader per queue).
 *
 * <p>Batches: the batch methods move several packets per call, which lets an implementation with offloads (Linux
 * {@code IFF_VNET_HDR}) take TCP super-packets from the kernel and split them, and merge segments on the way back.
 * The defaults move one packet per call through {@link #read} and {@link #write}.
 */
public interface TunDevice extends Closeable {

    /** How the threads that move this device's packets can change their own scheduling priority. */
    default ThreadPriority threadPriority() {
        return ThreadPriority.UNCHANGED;
    }

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

    /**
     * Blocks until at least one packet is available, then returns it and any more that are ready at once, up to
     * {@code count}. Packet {@code i} is written at {@code bufs[i].data[bufs[i].offset..]}, at most {@code maxLen}
     * bytes, and its length stored in {@code bufs[i].length}; the buffers stay the caller's. A buffer too small for
     * its packet is grown ({@link PacketBuffer#reserve}); an implementation that cannot tell a packet's size before
     * reading it may instead drop (and count) a packet longer than the buffer's room, so callers offer buffers with
     * room for the MTU.
     *
     * @return the number of packets read (at least 1), or {@code -1} once the device is closed or removed
     */
    default int readBatch(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        PacketBuffer b = bufs[0];
        b.reserve(b.offset + maxLen + PacketBuffer.TAILROOM); // a plain read cannot tell the size beforehand
        int n = read(b.data, b.offset, maxLen);
        if (n < 0) {
            return -1;
        }
        b.length = n;
        return 1;
    }

    /**
     * As {@link #readBatch}, but never blocks: the packets ready now, up to {@code count}, possibly none. An inline
     * sender with packets queued in its own FQ-CoDel polls with this between rounds of crypto, so the kernel's
     * fixed-size read ring stays drained and the standing queue lives where it is managed. The default reads
     * nothing, which is correct but leaves that ring to fill until the queued packets are served.
     *
     * @return the number of packets read (0 when none is ready), or {@code -1} once the device is closed or removed
     */
    default int readBatchNow(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        return 0;
    }

    /**
     * Hands {@code bufs[0..count)} (each {@code data[offset..offset+length)}) to the host, in order within a flow.
     * An implementation may rewrite the buffers (merging segments into the first of a run, using up to 16 bytes of
     * headroom before {@code offset}); the caller releases them afterwards as usual. Never blocks for long.
     *
     * @return the number of packets that could not be delivered (the caller counts them as dropped)
     */
    default int writeBatch(PacketBuffer[] bufs, int count) {
        int failed = 0;
        for (int i = 0; i < count; i++) {
            PacketBuffer b = bufs[i];
            try {
                write(b.data, b.offset, b.length);
            } catch (IOException e) {
                failed++;
            }
        }
        return failed;
    }
}
