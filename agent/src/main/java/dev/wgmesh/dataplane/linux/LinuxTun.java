package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.TunDevice;
import dev.wgmesh.dataplane.offload.TcpCoalescer;
import dev.wgmesh.dataplane.offload.VirtioNetHdr;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Linux TUN interface ({@code /dev/net/tun}, {@code TUNSETIFF} with {@code IFF_TUN | IFF_NO_PI}), see the
 * kernel's Documentation/networking/tuntap.rst.
 *
 * <p>I/O: the descriptor is non-blocking. {@link #read} tries a critical read straight into the caller's heap array
 * and, when nothing is queued, waits in {@code poll(2)} on the TUN fd plus an eventfd that {@link #close} signals;
 * {@link #write} is a critical write from the heap array. Nothing is allocated per packet. (Measured against a
 * native buffer plus copy in {@code dev.wgmesh.bench.TunIoBenchmark}.)
 *
 * <p>Threads: any number of readers and writers; each uses its own {@link NativeContext}. With {@link
 * Options#multiQueue}, opening the same name again attaches another queue (one reader per queue scales).
 *
 * <p>Removal: when the interface is deleted ({@code ip link del}) the kernel detaches the queue, poll reports
 * POLLERR and read fails with EBADFD; {@link #read} then returns -1 and {@link #isGone()} turns true.
 *
 * <p>Offloads ({@link Options#OFFLOADED}): with {@code IFF_VNET_HDR} and {@code TUNSETOFFLOAD(CSUM|TSO4|TSO6)} the
 * kernel hands over TCP super-packets of up to 64 KiB; {@link #readBatch} splits them into MTU-sized segments
 * ({@link VnetReader}) and {@link #writeBatch} merges decrypted segments of a flow back into super-packets
 * ({@link TcpCoalescer}), so the host's TCP stack sees a few large packets instead of many small ones. Frames are
 * read and written straight from heap arrays (the virtio header sits in the buffer's headroom). When the kernel
 * refuses the offloads (TUNSETOFFLOAD fails, or later a super-packet write fails), the device carries on with
 * plain frames: {@link #offloadsEnabled()} tells which.
 *
 * <p>MTU: read with SIOCGIFMTU through a control socket created in the TUN's network namespace, re-read when the
 * cached value is older than {@link #MTU_REFRESH_NANOS}, so {@code ip link set mtu} is followed within a second.
 */
public final class LinuxTun implements TunDevice {
    /** How long a read MTU stays cached. */
    static final long MTU_REFRESH_NANOS = 1_000_000_000L;
    /** Size of {@code struct virtio_net_hdr} that precedes every frame with IFF_VNET_HDR. */
    public static final int VNET_HDR_LEN = 10;

    /**
     * TUN creation options beyond the defaults (IFF_TUN | IFF_NO_PI).
     *
     * @param multiQueue IFF_MULTI_QUEUE: several descriptors (queues) on one interface
     * @param vnetHdr IFF_VNET_HDR: frames carry a virtio_net_hdr; this class strips it on read and writes a zero
     *     one (GSO_NONE) on write, so callers still see plain IP packets
     * @param offloadFlags TUNSETOFFLOAD flags (TUN_F_CSUM=1, TUN_F_TSO4=2, TUN_F_TSO6=4...), only with vnetHdr;
     *     0 = none. Setting TSO flags makes the kernel hand over super-packets larger than the MTU.
     */
    public record Options(boolean multiQueue, boolean vnetHdr, int offloadFlags) {
        public static final Options DEFAULT = new Options(false, false, 0);
        /** Virtio headers with checksum and TCP segmentation offload: super-packets in, merged segments out. */
        public static final Options OFFLOADED = new Options(false, true, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);

        public Options withMultiQueue(boolean on) {
            return new Options(on, vnetHdr, offloadFlags);
        }
    }

    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;

    /** The TUNSETOFFLOAD call, a seam so tests can make the kernel refuse it. */
    @FunctionalInterface
    interface OffloadControl {
        /** @return 0, or -errno */
        int setOffload(NativeContext ctx, int fd, int flags);

        OffloadControl KERNEL = (ctx, fd, flags) -> Libc.ioctl(ctx, fd, Libc.TUNSETOFFLOAD, flags);
    }

    /** Per writer thread: the coalescer and its output indices. */
    private static final class VnetWriter {
        final TcpCoalescer coalescer = new TcpCoalescer();
        int[] heads = new int[0];
    }

    private final String name;
    private final int ifindex;
    private final Options options;
    private final FdRef tun;
    private final int wakeFd;
    private final int ctlSock;
    private final ThreadLocal<VnetReader> readers = ThreadLocal.withInitial(VnetReader::new);
    private final ThreadLocal<VnetWriter> writers = ThreadLocal.withInitial(VnetWriter::new);
    /** TSO accepted: super-packets may come in, and merged ones may go out until the kernel refuses one. */
    private volatile boolean gro;
    /** Super-packets split on read and runs merged on write (one update per super-packet, not per packet). */
    private final java.util.concurrent.atomic.AtomicLong superPacketsRead =
            new java.util.concurrent.atomic.AtomicLong();

    private final java.util.concurrent.atomic.AtomicLong superPacketsWritten =
            new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;
    private volatile boolean gone;
    private volatile int mtu;
    private volatile long mtuReadAt;

    private LinuxTun(String name, int ifindex, Options options, int tunFd, int wakeFd, int ctlSock, boolean offloaded) {
        this.name = name;
        this.gro = offloaded;
        this.ifindex = ifindex;
        this.options = options;
        this.tun = new FdRef(tunFd, wakeFd, ctlSock);
        this.wakeFd = wakeFd;
        this.ctlSock = ctlSock;
    }

    public static LinuxTun open(String name) throws IOException {
        return open(name, Options.DEFAULT);
    }

    /**
     * Creates (or attaches to) the TUN interface {@code name} in the calling thread's network namespace. The
     * interface is left down; bringing it up and addressing it is the administrator's job (as with wireguard-go).
     */
    public static LinuxTun open(String name, Options options) throws IOException {
        return open(name, options, OffloadControl.KERNEL);
    }

    /**
     * Opens {@code queues} queues of one multi-queue interface (IFF_MULTI_QUEUE is implied when more than one);
     * the kernel spreads flows over them. Closes what it opened when one fails.
     */
    public static List<LinuxTun> openQueues(String name, Options options, int queues) throws IOException {
        if (queues < 1) {
            throw new IllegalArgumentException("queues must be at least 1");
        }
        Options o = queues > 1 ? options.withMultiQueue(true) : options;
        List<LinuxTun> list = new ArrayList<>(queues);
        try {
            list.add(open(name, o));
            for (int i = 1; i < queues; i++) {
                list.add(open(list.get(0).name(), o));
            }
            return List.copyOf(list);
        } catch (IOException | RuntimeException e) {
            for (LinuxTun t : list) {
                t.close();
            }
            throw e;
        }
    }

    static LinuxTun open(String name, Options options, OffloadControl offload) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= Libc.IFNAMSIZ || name.contains("/") || name.contains(" ")) {
            throw new IllegalArgumentException("invalid interface name '" + name + "'");
        }
        NativeContext ctx = NativeContext.current();
        int fd = (int) Libc.checked(
                Libc.open(ctx, ctx.cString("/dev/net/tun"), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0),
                "open /dev/net/tun");
        int wake = -1;
        int ctl = -1;
        try {
            short flags = (short) (Libc.IFF_TUN | Libc.IFF_NO_PI);
            if (options.multiQueue()) {
                flags |= Libc.IFF_MULTI_QUEUE;
            }
            if (options.vnetHdr()) {
                flags |= Libc.IFF_VNET_HDR;
            }
            MemorySegment ifr = ifreq(ctx, nameBytes);
            ifr.set(JAVA_SHORT, Libc.IFREQ_UNION, flags);
            Libc.checked(Libc.ioctl(ctx, fd, Libc.TUNSETIFF, ifr), "TUNSETIFF " + name);
            String actual = ifr.getString(0, StandardCharsets.US_ASCII);
            boolean offloaded = false;
            if (options.vnetHdr()) {
                ctx.scratch.set(JAVA_INT, 64, VNET_HDR_LEN);
                Libc.checked(Libc.ioctl(ctx, fd, Libc.TUNSETVNETHDRSZ, ctx.scratch.asSlice(64, 4)), "TUNSETVNETHDRSZ");
                offloaded = negotiateOffloads(ctx, fd, options.offloadFlags(), offload);
            }
            wake = (int) Libc.checked(Libc.eventfd(ctx, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC), "eventfd");
            ctl = controlSocket(ctx);
            MemorySegment q = ifreq(ctx, actual.getBytes(StandardCharsets.US_ASCII));
            Libc.checked(Libc.ioctl(ctx, ctl, Libc.SIOCGIFINDEX, q), "SIOCGIFINDEX " + actual);
            int index = q.get(JAVA_INT, Libc.IFREQ_UNION);
            LinuxTun t = new LinuxTun(actual, index, options, fd, wake, ctl, offloaded);
            t.refreshMtu();
            return t;
        } catch (IOException | RuntimeException e) {
            Libc.close(ctx, fd);
            if (wake >= 0) {
                Libc.close(ctx, wake);
            }
            if (ctl >= 0) {
                Libc.close(ctx, ctl);
            }
            throw e;
        }
    }

    /**
     * Asks for {@code flags}; when the kernel refuses (an old kernel, or a flag it does not know) we fall back to no
     * offloads, so frames still carry a virtio header but never a super-packet. True when TSO was accepted.
     */
    private static boolean negotiateOffloads(NativeContext ctx, int fd, int flags, OffloadControl offload)
            throws IOException {
        if (flags == 0) {
            return false;
        }
        if (offload.setOffload(ctx, fd, flags) == 0) {
            return (flags & (TUN_F_TSO4 | TUN_F_TSO6)) != 0;
        }
        Libc.checked(Libc.ioctl(ctx, fd, Libc.TUNSETOFFLOAD, 0), "TUNSETOFFLOAD 0");
        return false;
    }

    private static int controlSocket(NativeContext ctx) throws IOException {
        int s = Libc.socket(ctx, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (s < 0) {
            s = Libc.socket(ctx, Libc.AF_INET6, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        }
        return (int) Libc.checked(s, "socket (control)");
    }

    private static MemorySegment ifreq(NativeContext ctx, byte[] name) {
        MemorySegment ifr = ctx.scratch.asSlice(0, Libc.IFREQ_SIZE);
        ifr.fill((byte) 0);
        MemorySegment.copy(name, 0, ifr, JAVA_BYTE, 0, name.length);
        return ifr;
    }

    @Override
    public dev.wgmesh.dataplane.io.ThreadPriority threadPriority() {
        return LinuxThreadPriority.INSTANCE;
    }

    @Override
    public String name() {
        return name;
    }

    /** The kernel's index of this interface (fixed for its lifetime). */
    public int ifindex() {
        return ifindex;
    }

    /** True once the interface was deleted underneath us (a read saw EBADFD/EIO, or the MTU query ENODEV). */
    public boolean isGone() {
        return gone;
    }

    @Override
    public int mtu() throws IOException {
        if (System.nanoTime() - mtuReadAt > MTU_REFRESH_NANOS) {
            refreshMtu();
        }
        return mtu;
    }

    /** Re-reads the MTU now (SIOCGIFMTU). Keeps the last value when the interface is gone. */
    public int refreshMtu() throws IOException {
        if (!tun.acquire()) {
            return mtu;
        }
        try {
            NativeContext ctx = NativeContext.current();
            MemorySegment ifr = ifreq(ctx, name.getBytes(StandardCharsets.US_ASCII));
            int r = Libc.ioctl(ctx, ctlSock, Libc.SIOCGIFMTU, ifr);
            if (r == -Libc.ENODEV) {
                gone = true;
                return mtu;
            }
            Libc.checked(r, "SIOCGIFMTU " + name);
            mtu = ifr.get(JAVA_INT, Libc.IFREQ_UNION);
            mtuReadAt = System.nanoTime();
            return mtu;
        } finally {
            tun.release();
        }
    }

    /** True while TSO super-packets come in and merged segments go out (false after a refusal). */
    public boolean offloadsEnabled() {
        return gro;
    }

    /** TSO super-packets read and split so far. */
    public long superPacketsRead() {
        return superPacketsRead.get();
    }

    /** Merged super-packets written so far. */
    public long superPacketsWritten() {
        return superPacketsWritten.get();
    }

    /**
     * Frames dropped on read: by this thread's reader with offloads (malformed super-packets, packets over the
     * caller's limit), and by any thread without them (packets longer than the buffer offered).
     */
    public long droppedFrames() {
        return readers.get().dropped() + truncatedReads.get();
    }

    private final java.util.concurrent.atomic.AtomicLong truncatedReads = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        return (int) read(buf, off, len, true);
    }

    /**
     * One packet into {@code buf}; with {@code block} false it returns {@link #NOTHING_READY} instead of waiting.
     *
     * @return the packet's length, -1 when closed or gone, or {@link #NOTHING_READY}
     */
    long read(byte[] buf, int off, int len, boolean block) throws IOException {
        NativeContext ctx = NativeContext.current();
        if (closed || !tun.acquire()) {
            return -1;
        }
        try {
            if (!options.vnetHdr()) {
                long n = readRaw(ctx, MemorySegment.ofArray(buf).asSlice(off, len), len, block);
                return n < 0 && n != NOTHING_READY ? -1 : n;
            }
            VnetReader r = readers.get();
            while (true) {
                if (r.hasPending()) {
                    int n = r.take(buf, off, len);
                    if (n >= 0) {
                        return n;
                    }
                    continue;
                }
                long n = readRaw(ctx, r.frameSegment, r.frame.length, block);
                if (n == NOTHING_READY) {
                    return n;
                }
                if (n < 0) {
                    return -1;
                }
                r.accept((int) n);
            }
        } finally {
            tun.release();
        }
    }

    /**
     * Blocks for the first packet, then reads what is queued without blocking. With offloads a super-packet fills
     * several buffers; segments that do not fit are kept for the next call.
     */
    @Override
    public int readBatch(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        return readBatch(bufs, 0, count, maxLen, true);
    }

    /** Never blocks: segments left from a super-packet, then what the queue holds now. */
    @Override
    public int readBatchNow(PacketBuffer[] bufs, int count, int maxLen) throws IOException {
        return readBatch(bufs, 0, count, maxLen, false);
    }

    /**
     * Reads into {@code bufs[from .. from + count)} ({@link LinuxTunQueues} fills one array from several queues).
     *
     * @return how many buffers from {@code from} were filled, or -1 when closed or gone with none filled
     */
    int readBatch(PacketBuffer[] bufs, int from, int count, int maxLen, boolean block) throws IOException {
        NativeContext ctx = NativeContext.current();
        if (closed || !tun.acquire()) {
            return -1;
        }
        try {
            VnetReader r = options.vnetHdr() ? readers.get() : null;
            int i = from;
            int end = from + count;
            while (i < end) {
                PacketBuffer b = bufs[i];
                if (r != null && r.hasPending()) {
                    int n = r.take(b, maxLen);
                    if (n >= 0) {
                        b.length = n;
                        i++;
                    }
                    continue;
                }
                // Plain frames go straight into the buffer, as long as it has room (the caller sizes buffers for
                // the MTU). The kernel cuts a longer packet to the length asked for and says only that, so one byte
                // more is asked for (the tailroom has it): a read that fills it was cut short, and is dropped below.
                int room = r != null ? 0 : Math.min(maxLen, b.data.length - b.offset - PacketBuffer.TAILROOM);
                long n = r != null
                        ? readRaw(ctx, r.frameSegment, r.frame.length, block && i == 0)
                        : readRaw(ctx, b.segmentFrom(b.offset), room + 1, block && i == 0);
                if (n == NOTHING_READY) {
                    break;
                }
                if (n < 0) {
                    return i == from ? -1 : i - from;
                }
                if (r != null) {
                    if (r.accept((int) n) > 1) {
                        superPacketsRead.incrementAndGet();
                    }
                } else if (n > room) {
                    truncatedReads.incrementAndGet(); // longer than the buffer: cut short by the kernel, dropped
                } else {
                    b.length = (int) n;
                    i++;
                }
            }
            return i - from;
        } finally {
            tun.release();
        }
    }

    /** What a non-blocking read returns when the queue is empty. */
    static final long NOTHING_READY = -2;

    /** The descriptor reference, for {@link LinuxTunQueues}' wait on all queues (bracket uses with acquire/release). */
    FdRef fdRef() {
        return tun;
    }

    /** The eventfd {@link #close()} writes to wake blocked readers. */
    int wakeFd() {
        return wakeFd;
    }

    /**
     * One read of up to {@code len} bytes into the heap segment {@code at}; the caller holds {@link #tun}.
     *
     * @return the bytes read; -1 when closed or gone; {@link #NOTHING_READY} when {@code block} is false and the
     *     queue is empty
     */
    private long readRaw(NativeContext ctx, MemorySegment at, int len, boolean block) throws IOException {
        boolean errorSeen = false;
        while (!closed) {
            long n = Libc.readHeap(ctx, tun.fd, at, len);
            if (n >= 0) {
                return n;
            }
            int err = (int) -n;
            if (err == Libc.EINTR) {
                continue;
            }
            if (err == Libc.EAGAIN && !block && !errorSeen) {
                return NOTHING_READY;
            }
            if (err != Libc.EAGAIN || errorSeen) {
                if (err == Libc.EBADFD || err == Libc.EIO || err == Libc.ENODEV || err == Libc.EAGAIN) {
                    gone = true;
                    return -1;
                }
                throw new NativeException("read " + name, err);
            }
            int revents = ctx.pollTwo(tun.fd, Libc.POLLIN, wakeFd, -1);
            if (revents < 0 && revents != -Libc.EINTR) {
                throw new NativeException("poll " + name, -revents);
            }
            if (ctx.wokenUp()) {
                return -1;
            }
            // After POLLERR the next read reports the error; if it still says EAGAIN the queue is dead.
            errorSeen = (revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0;
        }
        return -1;
    }

    /**
     * With offloads, merges segments of a flow ({@link TcpCoalescer}) and writes each run as one super-packet;
     * otherwise one frame per packet. The virtio header goes into the headroom in front of each packet.
     */
    @Override
    public int writeBatch(PacketBuffer[] bufs, int count) {
        if (count <= 0) {
            return 0;
        }
        if (!tun.acquire()) {
            return count;
        }
        try {
            NativeContext ctx = NativeContext.current();
            if (!options.vnetHdr()) {
                int failed = 0;
                for (int i = 0; i < count; i++) {
                    PacketBuffer b = bufs[i];
                    failed += writeRaw(ctx, b.segmentFrom(b.offset), b.length) == 0 ? 0 : 1;
                }
                return failed;
            }
            if (!gro) {
                int failed = 0;
                for (int i = 0; i < count; i++) {
                    PacketBuffer b = bufs[i];
                    failed += writeFramed(ctx, b, false) ? 0 : 1;
                }
                return failed;
            }
            VnetWriter w = writers.get();
            if (w.heads.length < count) {
                w.heads = new int[Math.max(count, 64)];
            }
            int n = w.coalescer.coalesce(bufs, count, w.heads);
            int failed = 0;
            for (int g = 0; g < n; g++) {
                int segments = w.coalescer.segments(g);
                if (!writeFramed(ctx, w.coalescer.output(bufs, g), true)) {
                    failed += segments;
                } else if (segments > 1) {
                    superPacketsWritten.incrementAndGet();
                }
            }
            return failed;
        } finally {
            tun.release();
        }
    }

    /** Writes one packet with a virtio header (already in the headroom when {@code headerWritten}). */
    private boolean writeFramed(NativeContext ctx, PacketBuffer b, boolean headerWritten) {
        int off = b.offset;
        if (off < VNET_HDR_LEN) {
            return writeVnetCopy(ctx, b.data, off, b.length) == 0; // no headroom: copy behind a plain header
        }
        if (!headerWritten) {
            VirtioNetHdr.writeNone(b.data, off - VNET_HDR_LEN);
        }
        boolean merged = VirtioNetHdr.gsoType(b.data, off - VNET_HDR_LEN) != VirtioNetHdr.GSO_NONE;
        int r = writeRaw(ctx, b.segmentFrom(off - VNET_HDR_LEN), b.length + VNET_HDR_LEN);
        if (r == -Libc.EINVAL && merged) {
            gro = false; // the kernel refuses super-packets: plain frames from now on (this run is lost)
        }
        return r == 0;
    }

    /** What {@link #writeOutcome} returns when the write should be tried again (never a valid result: > 0). */
    private static final int RETRY = 1;

    /**
     * The result of one TUN write attempt: 0 when written, {@link #RETRY} after EINTR or a short EAGAIN wait (at most
     * 3), else -errno; a vanished device marks the TUN gone.
     */
    private int writeOutcome(NativeContext ctx, long n, int attempt) {
        if (n >= 0) {
            return 0;
        }
        int err = (int) -n;
        if (err == Libc.EINTR) {
            return RETRY;
        }
        if (err == Libc.EAGAIN && attempt < 3) {
            ctx.pollTwo(tun.fd, Libc.POLLOUT, -1, 10);
            return RETRY;
        }
        if (err == Libc.EBADFD || err == Libc.EIO || err == Libc.ENODEV) {
            gone = true;
        }
        return -err;
    }

    /** One write of {@code len} bytes from a heap segment; retries EINTR and a short EAGAIN. @return 0 or -errno */
    private int writeRaw(NativeContext ctx, MemorySegment from, int len) {
        for (int attempt = 0; ; attempt++) {
            int r = writeOutcome(ctx, Libc.writeHeap(ctx, tun.fd, from, len), attempt);
            if (r != RETRY) {
                return r;
            }
        }
    }

    /** A frame built in native memory: a GSO_NONE header, then the packet. @return 0 or -errno */
    private int writeVnetCopy(NativeContext ctx, byte[] buf, int off, int len) {
        ctx.io.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0L);
        ctx.io.set(JAVA_SHORT, 8, (short) 0);
        MemorySegment.copy(buf, off, ctx.io, JAVA_BYTE, VNET_HDR_LEN, len);
        for (int attempt = 0; ; attempt++) {
            int r = writeOutcome(ctx, Libc.write(ctx, tun.fd, ctx.io, len + VNET_HDR_LEN), attempt);
            if (r != RETRY) {
                return r;
            }
        }
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        if (len <= 0) {
            return;
        }
        if (!tun.acquire()) {
            throw new IOException(name + " is closed");
        }
        try {
            NativeContext ctx = NativeContext.current();
            int r = options.vnetHdr()
                    ? writeVnetCopy(ctx, buf, off, len)
                    : writeRaw(ctx, MemorySegment.ofArray(buf).asSlice(off, len), len);
            if (r != 0) {
                throw new NativeException("write " + name, -r);
            }
        } finally {
            tun.release();
        }
    }

    /** Wakes every blocked reader (they return -1) and closes the descriptor once the last one has left. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (tun.acquire()) {
            try {
                NativeContext ctx = NativeContext.current();
                ctx.scratch.set(java.lang.foreign.ValueLayout.JAVA_LONG, 128, 1L);
                Libc.write(ctx, wakeFd, ctx.scratch.asSlice(128, 8), 8);
            } finally {
                tun.release();
            }
        }
        tun.close();
    }

    @Override
    public String toString() {
        return "LinuxTun[" + name + "]";
    }
}
