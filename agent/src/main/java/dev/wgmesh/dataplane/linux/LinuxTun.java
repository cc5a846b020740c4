package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wgmesh.dataplane.io.TunDevice;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

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
    }

    private final String name;
    private final int ifindex;
    private final Options options;
    private final FdRef tun;
    private final int wakeFd;
    private final int ctlSock;
    private volatile boolean closed;
    private volatile boolean gone;
    private volatile int mtu;
    private volatile long mtuReadAt;

    private LinuxTun(String name, int ifindex, Options options, int tunFd, int wakeFd, int ctlSock) {
        this.name = name;
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
            if (options.vnetHdr()) {
                ctx.scratch.set(JAVA_INT, 64, VNET_HDR_LEN);
                Libc.checked(Libc.ioctl(ctx, fd, Libc.TUNSETVNETHDRSZ, ctx.scratch.asSlice(64, 4)), "TUNSETVNETHDRSZ");
                Libc.checked(Libc.ioctl(ctx, fd, Libc.TUNSETOFFLOAD, options.offloadFlags()), "TUNSETOFFLOAD");
            }
            wake = (int) Libc.checked(Libc.eventfd(ctx, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC), "eventfd");
            ctl = controlSocket(ctx);
            MemorySegment q = ifreq(ctx, actual.getBytes(StandardCharsets.US_ASCII));
            Libc.checked(Libc.ioctl(ctx, ctl, Libc.SIOCGIFINDEX, q), "SIOCGIFINDEX " + actual);
            int index = q.get(JAVA_INT, Libc.IFREQ_UNION);
            LinuxTun t = new LinuxTun(actual, index, options, fd, wake, ctl);
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

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        NativeContext ctx = NativeContext.current();
        if (closed || !tun.acquire()) {
            return -1;
        }
        try {
            boolean errorSeen = false;
            while (!closed) {
                long n = options.vnetHdr() ? readVnet(ctx, buf, off, len) : Libc.readHeap(ctx, tun.fd, buf, off, len);
                if (n >= 0) {
                    return (int) n;
                }
                int err = (int) -n;
                if (err == Libc.EINTR) {
                    continue;
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
        } finally {
            tun.release();
        }
    }

    private long readVnet(NativeContext ctx, byte[] buf, int off, int len) {
        long n = Libc.read(ctx, tun.fd, ctx.io, Math.min(NativeContext.IO_SIZE, len + VNET_HDR_LEN));
        if (n < 0) {
            return n;
        }
        long data = Math.max(0, n - VNET_HDR_LEN);
        MemorySegment.copy(ctx.io, JAVA_BYTE, VNET_HDR_LEN, buf, off, (int) data);
        return data;
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
            for (int attempt = 0; ; attempt++) {
                long n;
                if (options.vnetHdr()) {
                    ctx.io.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0L);
                    ctx.io.set(JAVA_SHORT, 8, (short) 0);
                    MemorySegment.copy(buf, off, ctx.io, JAVA_BYTE, VNET_HDR_LEN, len);
                    n = Libc.write(ctx, tun.fd, ctx.io, len + VNET_HDR_LEN);
                } else {
                    n = Libc.writeHeap(ctx, tun.fd, buf, off, len);
                }
                if (n >= 0) {
                    return;
                }
                int err = (int) -n;
                if (err == Libc.EINTR) {
                    continue;
                }
                if (err == Libc.EAGAIN && attempt < 3) {
                    ctx.pollTwo(tun.fd, Libc.POLLOUT, -1, 10);
                    continue;
                }
                if (err == Libc.EBADFD || err == Libc.EIO || err == Libc.ENODEV) {
                    gone = true;
                }
                throw new NativeException("write " + name, err);
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
