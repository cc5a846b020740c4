package dev.wgmesh.dataplane.io.memory;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.TunDevice;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link TunDevice} for tests (wireguard-go {@code tun/tuntest}): the test plays the host's network
 * stack, {@link #inject injecting} packets the device will {@link #read} and {@link #collect collecting} the
 * packets the device {@link #write}s.
 *
 * <p>Both directions are bounded queues with recycled buffers (no allocation per packet once warm); a full
 * queue drops and counts, as a real TUN does when the host lags. {@link #close} makes blocked and later reads
 * return −1 and writes fail. Any number of threads may read and write.
 */
public final class MemoryTun implements TunDevice {
    public static final int DEFAULT_CAPACITY = 1024;

    private final String name;
    private final PacketQueue toDevice;
    private final PacketQueue toHost;
    private volatile int mtu;

    public MemoryTun(String name, int mtu) {
        this(name, mtu, DEFAULT_CAPACITY);
    }

    public MemoryTun(String name, int mtu, int capacity) {
        this.name = name;
        this.mtu = mtu;
        this.toDevice = new PacketQueue(capacity);
        this.toHost = new PacketQueue(capacity);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** Changes the MTU, as {@code ip link set mtu} would; the device sees it on its next {@link #mtu()} call. */
    public void setMtu(int mtu) {
        if (mtu < 576 || mtu > 65535) {
            throw new IllegalArgumentException("MTU out of range");
        }
        this.mtu = mtu;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        PacketSlot s = toDevice.take();
        if (s == null) {
            return -1;
        }
        try {
            if (s.length > len) {
                throw new IOException("read buffer of " + len + " bytes is smaller than the packet (" + s.length + ")");
            }
            System.arraycopy(s.data, 0, buf, off, s.length);
            return s.length;
        } finally {
            toDevice.recycle(s);
        }
    }

    /** As a Linux TUN: blocks for the first packet, then takes what else is queued now. */
    @Override
    public int readBatch(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        PacketSlot s = toDevice.take();
        if (s == null) {
            return -1;
        }
        try {
            fill(bufs[0], s, maxLen);
        } finally {
            toDevice.recycle(s);
        }
        if (count == 1) {
            return 1;
        }
        return pollInto(bufs, 1, count, maxLen);
    }

    /** The packets queued now, one copy each (no offloads here); 0 when none is. */
    @Override
    public int readBatchNow(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        return pollInto(bufs, 0, count, maxLen);
    }

    /** Fills {@code bufs[start..count)} with what is queued now; returns the index after the last one filled. */
    private int pollInto(PacketBuffer[] bufs, int start, int count, int maxLen) throws IOException {
        int i = start;
        while (i < count) {
            PacketSlot s;
            try {
                s = toDevice.poll(0, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading");
            }
            if (s == null) {
                break; // nothing queued, or closed: the next blocking read reports that
            }
            try {
                fill(bufs[i], s, maxLen);
                i++;
            } finally {
                toDevice.recycle(s);
            }
        }
        return i;
    }

    /** Copies packet {@code s} to {@code b} at its offset, the buffer grown if the packet needs more room. */
    private static void fill(PacketBuffer b, PacketSlot s, int maxLen) throws IOException {
        if (s.length > maxLen) {
            throw new IOException("packet of " + s.length + " bytes is over the read limit of " + maxLen);
        }
        b.reserve(b.offset + s.length + PacketBuffer.TAILROOM);
        System.arraycopy(s.data, 0, b.data, b.offset, s.length);
        b.length = s.length;
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        if (toHost.isClosed()) {
            throw new IOException("TUN device " + name + " is closed");
        }
        PacketSlot s = toHost.claim();
        if (s != null) {
            s.fill(buf, off, len);
            toHost.offer(s);
        }
    }

    /**
     * Test side: queues {@code packet} as if the host routed it into the tunnel.
     *
     * @return false if the device's input queue was full (the packet was dropped) or the device is closed
     */
    public boolean inject(byte[] packet) {
        PacketSlot s = toDevice.claim();
        if (s == null) {
            return false;
        }
        s.fill(packet, 0, packet.length);
        return toDevice.offer(s);
    }

    /** Test side: the next packet the device wrote, waiting up to {@code timeout}; null on timeout or close. */
    public byte[] collect(long timeout, TimeUnit unit) throws InterruptedException {
        PacketSlot s = toHost.poll(timeout, unit);
        if (s == null) {
            return null;
        }
        byte[] out = Arrays.copyOf(s.data, s.length);
        toHost.recycle(s);
        return out;
    }

    /** Test side: the next written packet if one is queued, else null. */
    public byte[] collect() {
        try {
            return collect(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Packets the device wrote that the test has not collected yet. */
    public int pendingToHost() {
        return toHost.size();
    }

    /** Packets dropped because the host-to-device queue was full. */
    public long droppedToDevice() {
        return toDevice.dropped();
    }

    /** Packets dropped because the device-to-host queue was full. */
    public long droppedToHost() {
        return toHost.dropped();
    }

    @Override
    public void close() {
        toDevice.close();
        toHost.close();
    }
}
