package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.UdpTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The outer UDP side on Linux: one dual-stack {@code AF_INET6} socket ({@code IPV6_V6ONLY=0}), so IPv4 peers arrive
 * as v4-mapped addresses; they are reported (and accepted) as plain 4-byte IPv4 in {@link Endpoint}.
 *
 * <p>Sticky source addresses (what wireguard-go's sticky_linux.go and the kernel module do): every datagram is
 * received with {@code IP_PKTINFO} / {@code IPV6_RECVPKTINFO}, and the local address it was sent to is stored as
 * the endpoint's source; replies carry that address in a pktinfo cmsg, so a multi-homed host answers from the
 * address the peer talks to. When the address is gone (sendmsg fails with EINVAL, EADDRNOTAVAIL or ENETUNREACH) the
 * source is cleared and the datagram is sent once more, letting the routing table choose.
 *
 * <p>Batches and offloads ({@link Options}): {@link #receiveBatch} takes up to 16 datagrams per {@code recvmmsg};
 * with {@code UDP_GRO} the kernel may hand over up to 64 datagrams of one flow as one buffer with a segment-size
 * cmsg, which is split back. {@link #sendBatch} packs runs of same-size datagrams to one endpoint (the last may be
 * shorter) into one message with a {@code UDP_SEGMENT} cmsg (UDP GSO) and sends up to 64 messages per {@code
 * sendmmsg}. Fallback: when {@code UDP_GRO} is refused the socket receives plain datagrams; when the kernel refuses
 * a GSO send (EIO: no checksum offload on the route; ENOPROTOOPT/EOPNOTSUPP: an old kernel) GSO is turned off for
 * this transport and the run goes out datagram by datagram. {@link #receive} splits coalesced receives too.
 *
 * <p>Threads: any number of receivers and senders; each works in its own {@link NativeContext} and {@link
 * MmsgArea} (headers, addresses, control buffers and data preallocated per thread) and copies between that native
 * memory and the caller's arrays: recvmsg/sendmsg need iovecs in native memory, which critical heap access cannot
 * provide.
 *
 * <p>Rebinding ({@link #bind} at runtime) creates and binds the new socket first, publishes it, then wakes the
 * receivers still polling the old one (through its eventfd) and retires the old descriptor; it is closed only
 * when the last thread using it has left ({@link FdRef}), so no thread ever uses a reused descriptor number.
 *
 * <p>{@link Options#reusePort}: {@code SO_REUSEPORT}, so several transports (one per worker of the per-flow mode)
 * share one port and the kernel spreads peers' flows over them.
 */
public final class LinuxUdp implements UdpTransport {
    /** Socket buffer size asked for (SO_*BUFFORCE as root, else capped by net.core.*mem_max). */
    static final int SOCKET_BUFFER = 4 << 20;

    /** Largest run in one GSO send: the kernel's UDP_MAX_SEGMENTS, and a total under the 64 KiB IP limit. */
    static final int GSO_MAX_SEGMENTS = 64;

    static final int GSO_MAX_BYTES = 65000;

    /**
     * @param reusePort SO_REUSEPORT, for several sockets on one port
     * @param gso send runs of datagrams with UDP_SEGMENT
     * @param gro ask for coalesced receives (UDP_GRO)
     */
    public record Options(boolean reusePort, boolean gso, boolean gro) {
        public static final Options DEFAULT = new Options(false, true, true);
        /** One datagram per system call segment: no GSO, no GRO. */
        public static final Options PLAIN = new Options(false, false, false);

        public Options withReusePort(boolean on) {
            return new Options(on, gso, gro);
        }
    }

    /** The calls an offload can fail in, a seam so tests can make the kernel refuse them. */
    interface Kernel {
        /** setsockopt(UDP_GRO, 1): 0 or -errno. */
        int enableGro(NativeContext ctx, int fd);

        /** Whether UDP_SEGMENT is known (getsockopt answers). */
        boolean gsoSupported(NativeContext ctx, int fd);

        /** sendmmsg; {@code firstIsGso} tells whether the first message carries UDP_SEGMENT. */
        int sendmmsg(NativeContext ctx, int fd, MemorySegment msgs, int vlen, boolean firstIsGso);

        Kernel REAL = new Kernel() {
            @Override
            public int enableGro(NativeContext ctx, int fd) {
                return Libc.setsockoptInt(ctx, fd, Libc.SOL_UDP, Libc.UDP_GRO, 1);
            }

            @Override
            public boolean gsoSupported(NativeContext ctx, int fd) {
                return Libc.getsockoptInt(ctx, fd, Libc.SOL_UDP, Libc.UDP_SEGMENT) >= 0;
            }

            @Override
            public int sendmmsg(NativeContext ctx, int fd, MemorySegment msgs, int vlen, boolean firstIsGso) {
                return Libc.sendmmsg(ctx, fd, msgs, vlen, 0);
            }
        };
    }

    /** One bound socket plus the eventfd that tells its pollers to move on; {@code gro}: UDP_GRO accepted. */
    private record Sock(FdRef ref, int port, int wakeFd, boolean gro) {}

    /** A coalesced datagram that {@link #receive} hands out one segment per call (per thread). */
    private static final class GroLeftover {
        final byte[] data = new byte[MmsgArea.SLOT];
        final Endpoint from = new Endpoint();
        int pos;
        int end;
        int size;
    }

    private final Options options;
    private final Kernel kernel;
    private final ThreadLocal<GroLeftover> leftovers = ThreadLocal.withInitial(GroLeftover::new);
    /** GSO usable: asked for, known to the kernel, and not refused yet. */
    private volatile boolean gso;

    private final Object bindLock = new Object(); // serializes bind/close/setFwmark; never taken per packet
    private volatile Sock current; // guarded by bindLock for writes
    private volatile boolean closed;
    private volatile int fwmark; // guarded by bindLock for writes

    public LinuxUdp() {
        this(Options.DEFAULT);
    }

    public LinuxUdp(Options options) {
        this(options, Kernel.REAL);
    }

    LinuxUdp(Options options, Kernel kernel) {
        this.options = options;
        this.kernel = kernel;
    }

    public Options options() {
        return options;
    }

    /** True while sends use UDP GSO (asked for, supported, not refused). */
    public boolean gsoEnabled() {
        return gso;
    }

    /** True when the current socket receives coalesced datagrams (UDP_GRO accepted). */
    public boolean groEnabled() {
        Sock s = current;
        return s != null && s.gro;
    }

    @Override
    public int bind(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        synchronized (bindLock) {
            if (closed) {
                throw new IOException("transport is closed");
            }
            Sock old = current;
            if (old != null && port != 0 && old.port == port) {
                return port;
            }
            Sock fresh = open(port, fwmark);
            current = fresh;
            if (old != null) {
                retire(old);
            }
            return fresh.port;
        }
    }

    private Sock open(int port, int mark) throws IOException {
        NativeContext ctx = NativeContext.current();
        int fd = (int) Libc.checked(
                Libc.socket(ctx, Libc.AF_INET6, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0),
                "socket AF_INET6");
        int wake = -1;
        try {
            Libc.checked(Libc.setsockoptInt(ctx, fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 0), "IPV6_V6ONLY");
            Libc.checked(Libc.setsockoptInt(ctx, fd, Libc.IPPROTO_IP, Libc.IP_PKTINFO, 1), "IP_PKTINFO");
            Libc.checked(Libc.setsockoptInt(ctx, fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO, 1), "IPV6_RECVPKTINFO");
            if (mark != 0) {
                Libc.checked(Libc.setsockoptInt(ctx, fd, Libc.SOL_SOCKET, Libc.SO_MARK, mark), "SO_MARK");
            }
            if (options.reusePort()) {
                Libc.checked(Libc.setsockoptInt(ctx, fd, Libc.SOL_SOCKET, Libc.SO_REUSEPORT, 1), "SO_REUSEPORT");
            }
            boolean gro = options.gro() && kernel.enableGro(ctx, fd) == 0;
            gso = options.gso() && kernel.gsoSupported(ctx, fd);
            if (Libc.setsockoptInt(ctx, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, SOCKET_BUFFER) < 0) {
                Libc.setsockoptInt(ctx, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, SOCKET_BUFFER);
            }
            if (Libc.setsockoptInt(ctx, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, SOCKET_BUFFER) < 0) {
                Libc.setsockoptInt(ctx, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, SOCKET_BUFFER);
            }
            MemorySegment sa = ctx.scratch.asSlice(0, Libc.SOCKADDR_IN6_SIZE);
            sa.fill((byte) 0);
            sa.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
            sa.set(JAVA_BYTE, 2, (byte) (port >>> 8));
            sa.set(JAVA_BYTE, 3, (byte) port);
            Libc.checked(Libc.bind(ctx, fd, sa, (int) Libc.SOCKADDR_IN6_SIZE), "bind UDP port " + port);
            ctx.scratch.set(JAVA_INT, 64, (int) Libc.SOCKADDR_IN6_SIZE);
            Libc.checked(Libc.getsockname(ctx, fd, sa, ctx.scratch.asSlice(64, 4)), "getsockname");
            int bound = ((sa.get(JAVA_BYTE, 2) & 0xff) << 8) | (sa.get(JAVA_BYTE, 3) & 0xff);
            wake = (int) Libc.checked(Libc.eventfd(ctx, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC), "eventfd");
            return new Sock(new FdRef(fd, wake), bound, wake, gro);
        } catch (IOException | RuntimeException e) {
            Libc.close(ctx, fd);
            if (wake >= 0) {
                Libc.close(ctx, wake);
            }
            throw e;
        }
    }

    private static void retire(Sock s) {
        if (s.ref.acquire()) {
            try {
                NativeContext ctx = NativeContext.current();
                ctx.scratch.set(JAVA_LONG, 128, 1L);
                Libc.write(ctx, s.wakeFd, ctx.scratch.asSlice(128, 8), 8);
            } finally {
                s.ref.release();
            }
        }
        s.ref.close();
    }

    @Override
    public int localPort() {
        Sock s = current;
        return s == null ? 0 : s.port;
    }

    @Override
    public void setFwmark(int mark) throws IOException {
        synchronized (bindLock) {
            Sock s = current;
            if (s != null && s.ref.acquire()) {
                try {
                    Libc.checked(
                            Libc.setsockoptInt(NativeContext.current(), s.ref.fd, Libc.SOL_SOCKET, Libc.SO_MARK, mark),
                            "SO_MARK");
                } finally {
                    s.ref.release();
                }
            }
            fwmark = mark;
        }
    }

    public int fwmark() {
        return fwmark;
    }

    /** SO_MARK as the kernel has it on the current socket (for tests and diagnostics), or -errno. */
    int socketMark() {
        Sock s = current;
        if (s == null || !s.ref.acquire()) {
            return 0;
        }
        try {
            return Libc.getsockoptInt(NativeContext.current(), s.ref.fd, Libc.SOL_SOCKET, Libc.SO_MARK);
        } finally {
            s.ref.release();
        }
    }

    @Override
    public int receive(byte[] buf, int off, int len, Endpoint from) throws IOException {
        GroLeftover lo = leftovers.get();
        if (lo.pos < lo.end) {
            return takeLeftover(lo, buf, off, len, from);
        }
        NativeContext ctx = NativeContext.current();
        while (!closed) {
            Sock s = current;
            if (s == null) {
                throw new IOException("transport is not bound");
            }
            if (!s.ref.acquire()) {
                Thread.onSpinWait(); // a rebind retired this socket; the next read of current sees its successor
                continue;
            }
            try {
                int n = receiveOnce(ctx, s, buf, off, len, from, lo);
                if (n >= 0) {
                    return n;
                }
                awaitReadable(ctx, s, n, "recvmsg");
            } finally {
                s.ref.release();
            }
        }
        return -1;
    }

    /** After a receive returned {@code n < 0}: waits on EAGAIN, retries EINTR, fails on anything else. */
    private static void awaitReadable(NativeContext ctx, Sock s, int n, String call) throws IOException {
        if (n != -Libc.EAGAIN && n != -Libc.EINTR) {
            throw new NativeException(call, -n);
        }
        if (n == -Libc.EAGAIN) {
            int r = ctx.pollTwo(s.ref.fd, Libc.POLLIN, s.wakeFd, -1);
            if (r < 0 && r != -Libc.EINTR) {
                throw new NativeException("poll", -r);
            }
        }
    }

    private static int takeLeftover(GroLeftover lo, byte[] buf, int off, int len, Endpoint from) {
        int n = Math.min(lo.size, lo.end - lo.pos);
        System.arraycopy(lo.data, lo.pos, buf, off, Math.min(n, len));
        lo.pos += n;
        from.copyFrom(lo.from);
        return Math.min(n, len);
    }

    private static int receiveOnce(
            NativeContext ctx, Sock s, byte[] buf, int off, int len, Endpoint from, GroLeftover lo) {
        MemorySegment m = ctx.msg;
        m.set(ADDRESS, MsgLayout.IOV, ctx.io);
        m.set(JAVA_LONG, MsgLayout.IOV + 8, NativeContext.IO_SIZE);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_NAME, ctx.msgName);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN6_SIZE);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_IOV, ctx.msgIov);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_IOVLEN, 1L);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_CONTROL, ctx.msgControl);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN, MsgLayout.CONTROL_SIZE);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_FLAGS, 0);
        long n = Libc.recvmsg(ctx, s.ref.fd, ctx.msgHdr, Libc.MSG_TRUNC);
        if (n < 0) {
            return (int) n;
        }
        int total = (int) Math.min(n, NativeContext.IO_SIZE);
        UdpCmsg.readPeer(ctx.msgName, 0, ctx.addr, from);
        long used = m.get(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN);
        int seg = UdpCmsg.readControl(m, MsgLayout.CONTROL, used, ctx.addr, from);
        int first = seg > 0 && seg < total ? seg : total;
        if (first < total) { // coalesced: keep the rest for the next calls on this thread
            MemorySegment.copy(ctx.io, JAVA_BYTE, first, lo.data, 0, total - first);
            lo.pos = 0;
            lo.end = total - first;
            lo.size = seg;
            lo.from.copyFrom(from);
        }
        int got = Math.min(first, len);
        MemorySegment.copy(ctx.io, JAVA_BYTE, 0, buf, off, got);
        return got;
    }

    /**
     * {@code recvmmsg} into this thread's {@link MmsgArea}, coalesced receives split into their datagrams. With
     * GRO on, as many messages as can be split into {@code count} buffers (64 datagrams each at most).
     */
    @Override
    public int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        return receiveBatch(bufs, from, count, true);
    }

    /** Never blocks: segments left from a coalesced receive, then what the socket holds now. */
    @Override
    public int receiveBatchNow(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        return receiveBatch(bufs, from, count, false);
    }

    private int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count, boolean block) throws IOException {
        if (count <= 0) {
            return 0;
        }
        GroLeftover lo = leftovers.get();
        if (lo.pos < lo.end) { // a single receive() left segments on this thread: hand them out first
            int i = 0;
            while (i < count && lo.pos < lo.end) {
                PacketBuffer b = bufs[i];
                b.reserve(Math.min(lo.size, lo.end - lo.pos));
                b.offset = 0;
                b.length = takeLeftover(lo, b.data, 0, b.data.length, from[i]);
                i++;
            }
            return i;
        }
        NativeContext ctx = NativeContext.current();
        MmsgArea area = MmsgArea.current();
        while (!closed) {
            Sock s = current;
            if (s == null) {
                throw new IOException("transport is not bound");
            }
            if (!s.ref.acquire()) {
                Thread.onSpinWait();
                continue;
            }
            try {
                int vlen = s.gro
                        ? Math.max(1, Math.min(MmsgArea.RX_SLOTS, count / GSO_MAX_SEGMENTS))
                        : Math.min(MmsgArea.RX_SLOTS, count);
                for (int j = 0; j < vlen; j++) {
                    area.setMessage(
                            j,
                            (long) j * MmsgArea.SLOT,
                            MmsgArea.SLOT,
                            (int) Libc.SOCKADDR_IN6_SIZE,
                            MmsgArea.CTRL_SIZE);
                }
                int r = Libc.recvmmsg(ctx, s.ref.fd, area.hdrs, vlen, 0);
                if (r > 0) {
                    int n = unpack(area, r, bufs, from, count);
                    if (n > 0) {
                        return n;
                    }
                    continue; // only truncated datagrams: wait for the next
                }
                if (!block && r == -Libc.EAGAIN) {
                    return 0;
                }
                awaitReadable(ctx, s, r, "recvmmsg");
            } finally {
                s.ref.release();
            }
        }
        return -1;
    }

    private int unpack(MmsgArea area, int messages, PacketBuffer[] bufs, Endpoint[] from, int count) {
        int i = 0;
        for (int j = 0; j < messages; j++) {
            long h = MmsgArea.hdr(j);
            int len = area.hdrs.get(JAVA_INT, h + Libc.MMSG_LEN);
            if ((area.hdrs.get(JAVA_INT, h + Libc.MSG_FLAGS) & Libc.MSG_TRUNC) != 0 || i >= count || len == 0) {
                truncated++;
                continue;
            }
            Endpoint e = from[i];
            UdpCmsg.readPeer(area.names, MmsgArea.name(j), area.addr, e);
            long used = area.hdrs.get(JAVA_LONG, h + Libc.MSG_CONTROLLEN);
            int seg = UdpCmsg.readControl(area.ctrls, MmsgArea.ctrl(j), used, area.addr, e);
            if (seg <= 0 || seg > len) {
                seg = len;
            }
            long base = (long) j * MmsgArea.SLOT;
            for (int pos = 0; pos < len; pos += seg) {
                if (i >= count) {
                    truncated++; // more segments than buffers offered
                    break;
                }
                int n = Math.min(seg, len - pos);
                PacketBuffer b = bufs[i];
                b.reserve(n); // buffers fit the MTU; a larger datagram (a peer with a larger MTU) grows this one
                MemorySegment.copy(area.data, JAVA_BYTE, base + pos, b.data, 0, n);
                b.offset = 0;
                b.length = n;
                if (from[i] != e) {
                    from[i].copyFrom(e);
                }
                i++;
            }
        }
        return i;
    }

    /** Datagrams dropped on receive because they were truncated or did not fit the buffers offered. */
    public long droppedOnReceive() {
        return truncated;
    }

    private volatile long truncated; // written by receivers only on drops; a lost increment is harmless

    @Override
    public void send(byte[] buf, int off, int len, Endpoint to) throws IOException {
        if (to.addressLength() == 0) {
            throw new IOException("endpoint has no address");
        }
        if (len > NativeContext.IO_SIZE) {
            throw new IOException("datagram too large");
        }
        NativeContext ctx = NativeContext.current();
        while (true) {
            if (closed) {
                throw new IOException("transport is closed");
            }
            Sock s = current;
            if (s == null) {
                throw new IOException("transport is not bound");
            }
            if (!s.ref.acquire()) {
                Thread.onSpinWait();
                continue;
            }
            try {
                sendOn(ctx, s, buf, off, len, to);
                return;
            } finally {
                s.ref.release();
            }
        }
    }

    private static void sendOn(NativeContext ctx, Sock s, byte[] buf, int off, int len, Endpoint to)
            throws IOException {
        MemorySegment.copy(buf, off, ctx.io, JAVA_BYTE, 0, len);
        for (int attempt = 0; ; attempt++) {
            boolean sticky = UdpCmsg.sticky(to);
            long n = Libc.sendmsg(ctx, s.ref.fd, buildSend(ctx, len, to, sticky), 0);
            if (n >= 0) {
                return;
            }
            int err = (int) -n;
            if (err == Libc.EINTR) {
                continue;
            }
            if (sticky && isSourceGone(err)) {
                to.clearSource(); // our address went away: let the routing table choose (once)
                continue;
            }
            if (err == Libc.EAGAIN && attempt < 4) {
                ctx.pollTwo(s.ref.fd, Libc.POLLOUT, -1, 5);
                continue;
            }
            throw new NativeException("sendmsg to " + to, err);
        }
    }

    private static boolean isSourceGone(int err) {
        return err == Libc.EINVAL || err == Libc.EADDRNOTAVAIL || err == Libc.ENETUNREACH || err == Libc.EHOSTUNREACH;
    }

    private static MemorySegment buildSend(NativeContext ctx, int len, Endpoint to, boolean sticky) {
        MemorySegment m = ctx.msg;
        UdpCmsg.writeName(ctx.msgName, 0, to);
        m.set(ADDRESS, MsgLayout.IOV, ctx.io);
        m.set(JAVA_LONG, MsgLayout.IOV + 8, len);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_NAME, ctx.msgName);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN6_SIZE);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_IOV, ctx.msgIov);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_IOVLEN, 1L);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_FLAGS, 0);
        long ctl = UdpCmsg.writeControl(m, MsgLayout.CONTROL, to, sticky, 0);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_CONTROL, ctl == 0 ? MemorySegment.NULL : ctx.msgControl);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN, ctl);
        return ctx.msgHdr;
    }

    /**
     * Packs the batch into messages — with GSO, each a run of equal-size datagrams to one endpoint (the last may be
     * shorter) — and sends them with {@code sendmmsg}, 64 messages at a time. A message the kernel refuses goes out
     * datagram by datagram through {@link #send}'s path (sticky-source and EAGAIN handling included).
     */
    @Override
    public int sendBatch(PacketBuffer[] bufs, Endpoint[] to, int count) {
        if (count <= 0) {
            return 0;
        }
        NativeContext ctx = NativeContext.current();
        MmsgArea area = MmsgArea.current();
        while (true) {
            Sock s = current;
            if (closed || s == null) {
                return count;
            }
            if (!s.ref.acquire()) {
                Thread.onSpinWait();
                continue;
            }
            try {
                int failed = 0;
                int i = 0;
                while (i < count) {
                    int messages = pack(area, bufs, to, i, count);
                    failed += flush(ctx, area, s, messages, bufs, to);
                    i = area.packedUpTo;
                }
                return failed;
            } finally {
                s.ref.release();
            }
        }
    }

    /** Fills messages from datagram {@code i} on; leaves the first datagram not packed in {@code packedUpTo}. */
    private int pack(MmsgArea area, PacketBuffer[] bufs, Endpoint[] to, int i, int count) {
        boolean useGso = gso;
        int m = 0;
        long pos = 0;
        while (i < count && m < MmsgArea.MAX_MSGS) {
            PacketBuffer b = bufs[i];
            Endpoint ep = to[i];
            int seg = b.length;
            if (pos + seg > MmsgArea.DATA_SIZE) {
                break;
            }
            long start = pos;
            area.first[m] = i;
            int run = 0;
            int last = seg;
            while (i < count && run < GSO_MAX_SEGMENTS) {
                PacketBuffer c = bufs[i];
                boolean fits = run == 0
                        || (useGso
                                && last == seg
                                && c.length <= seg
                                && c.length > 0
                                && (to[i] == ep || to[i].sameAs(ep))
                                && pos - start + c.length <= GSO_MAX_BYTES
                                && pos + c.length <= MmsgArea.DATA_SIZE);
                if (!fits) {
                    break;
                }
                MemorySegment.copy(c.data, c.offset, area.data, JAVA_BYTE, pos, c.length);
                pos += c.length;
                last = c.length;
                run++;
                i++;
            }
            area.runs[m] = run;
            UdpCmsg.writeName(area.names, MmsgArea.name(m), ep);
            long ctl = UdpCmsg.writeControl(area.ctrls, MmsgArea.ctrl(m), ep, UdpCmsg.sticky(ep), run > 1 ? seg : 0);
            area.setMessage(m, start, pos - start, (int) Libc.SOCKADDR_IN6_SIZE, ctl);
            pos = (pos + 7) & ~7L;
            m++;
        }
        area.packedUpTo = i;
        return m;
    }

    /** Sends {@code messages} packed messages; returns the datagrams that could not be sent. */
    private int flush(NativeContext ctx, MmsgArea area, Sock s, int messages, PacketBuffer[] bufs, Endpoint[] to) {
        int failed = 0;
        int k = 0;
        int waits = 0;
        while (k < messages) {
            if (area.runs[k] > 1 && !gso) { // packed before GSO was refused
                failed += sendOneByOne(ctx, s, bufs, to, area.first[k], area.runs[k]);
                k++;
                continue;
            }
            int r = kernel.sendmmsg(ctx, s.ref.fd, area.hdrFrom[k], messages - k, area.runs[k] > 1);
            if (r > 0) {
                k += r;
                continue;
            }
            if (r == -Libc.EINTR) {
                continue;
            }
            if (r == -Libc.EAGAIN && waits++ < 4) {
                ctx.pollTwo(s.ref.fd, Libc.POLLOUT, -1, 5);
                continue;
            }
            if (area.runs[k] > 1 && (r == -Libc.EIO || r == -Libc.ENOPROTOOPT || r == -Libc.EOPNOTSUPP)) {
                gso = false; // the kernel cannot segment on this route: plain datagrams from now on
            }
            failed += sendOneByOne(ctx, s, bufs, to, area.first[k], area.runs[k]);
            k++;
        }
        return failed;
    }

    private static int sendOneByOne(NativeContext ctx, Sock s, PacketBuffer[] bufs, Endpoint[] to, int from, int n) {
        int failed = 0;
        for (int i = from; i < from + n; i++) {
            PacketBuffer b = bufs[i];
            try {
                sendOn(ctx, s, b.data, b.offset, b.length, to[i]);
            } catch (IOException e) {
                failed++;
            }
        }
        return failed;
    }

    /** Wakes every receiver (they return -1); the socket closes once no thread is inside a call. */
    @Override
    public void close() {
        synchronized (bindLock) {
            if (closed) {
                return;
            }
            closed = true;
            Sock s = current;
            if (s != null) {
                retire(s);
            }
        }
    }
}
