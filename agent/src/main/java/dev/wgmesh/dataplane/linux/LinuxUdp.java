package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

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
 * <p>Threads: any number of receivers and senders; each works in its own {@link NativeContext} (msghdr, iovec,
 * sockaddr and control buffer preallocated per thread) and copies between that native buffer and the caller's
 * array: recvmsg/sendmsg need iovecs in native memory, which critical heap access cannot provide. The copy is
 * ~1.5 KB memcpy next to a ~1-2 µs system call.
 *
 * <p>Rebinding ({@link #bind} at runtime) creates and binds the new socket first, publishes it, then wakes the
 * receivers still polling the old one (through its eventfd) and retires the old descriptor; it is closed only
 * when the last thread using it has left ({@link FdRef}), so no thread ever uses a reused descriptor number.
 */
public final class LinuxUdp implements UdpTransport {
    /** Socket buffer size asked for (SO_*BUFFORCE as root, else capped by net.core.*mem_max). */
    static final int SOCKET_BUFFER = 4 << 20;

    private static final int MSG_TRUNC = 0x20;

    /** One bound socket plus the eventfd that tells its pollers to move on. */
    private record Sock(FdRef ref, int port, int wakeFd) {}

    private final Object bindLock = new Object(); // serializes bind/close/setFwmark; never taken per packet
    private volatile Sock current; // guarded by bindLock for writes
    private volatile boolean closed;
    private volatile int fwmark; // guarded by bindLock for writes

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

    private static Sock open(int port, int mark) throws IOException {
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
            return new Sock(new FdRef(fd, wake), bound, wake);
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
                int n = receiveOnce(ctx, s, buf, off, len, from);
                if (n >= 0) {
                    return n;
                }
                if (n != -Libc.EAGAIN && n != -Libc.EINTR) {
                    throw new NativeException("recvmsg", -n);
                }
                if (n == -Libc.EAGAIN) {
                    int r = ctx.pollTwo(s.ref.fd, Libc.POLLIN, s.wakeFd, -1);
                    if (r < 0 && r != -Libc.EINTR) {
                        throw new NativeException("poll", -r);
                    }
                }
            } finally {
                s.ref.release();
            }
        }
        return -1;
    }

    private static int receiveOnce(NativeContext ctx, Sock s, byte[] buf, int off, int len, Endpoint from) {
        MemorySegment m = ctx.msg;
        int cap = Math.min(len, NativeContext.IO_SIZE);
        m.set(ADDRESS, MsgLayout.IOV, ctx.io);
        m.set(JAVA_LONG, MsgLayout.IOV + 8, cap);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_NAME, ctx.msgName);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN6_SIZE);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_IOV, ctx.msgIov);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_IOVLEN, 1L);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_CONTROL, ctx.msgControl);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN, MsgLayout.CONTROL_SIZE);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_FLAGS, 0);
        long n = Libc.recvmsg(ctx, s.ref.fd, ctx.msgHdr, MSG_TRUNC);
        if (n < 0) {
            return (int) n;
        }
        int got = (int) Math.min(n, cap);
        MemorySegment.copy(ctx.io, JAVA_BYTE, 0, buf, off, got);
        readPeer(ctx, from);
        readPktinfo(ctx, from);
        return got;
    }

    /** sockaddr_in6 → endpoint; v4-mapped (::ffff:a.b.c.d) becomes a 4-byte IPv4 address. */
    private static void readPeer(NativeContext ctx, Endpoint from) {
        MemorySegment sa = ctx.msgName;
        int port = ((sa.get(JAVA_BYTE, 2) & 0xff) << 8) | (sa.get(JAVA_BYTE, 3) & 0xff);
        byte[] a = ctx.addr;
        MemorySegment.copy(sa, JAVA_BYTE, 8, a, 0, 16);
        if (isV4Mapped(a, 0)) {
            from.set(a, 12, 4, port);
        } else {
            from.set(a, 0, 16, port);
        }
    }

    private static void readPktinfo(NativeContext ctx, Endpoint from) {
        MemorySegment m = ctx.msg;
        long used = m.get(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN);
        long pos = 0;
        byte[] a = ctx.addr;
        from.clearSource();
        while (pos + Libc.CMSG_HDR <= used) {
            long base = MsgLayout.CONTROL + pos;
            long cmsgLen = m.get(JAVA_LONG, base);
            int level = m.get(JAVA_INT, base + 8);
            int type = m.get(JAVA_INT, base + 12);
            if (cmsgLen < Libc.CMSG_HDR) {
                return;
            }
            if (level == Libc.IPPROTO_IP && type == Libc.IP_PKTINFO) {
                // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }:
                // spec_dst is the local address a reply should come from.
                MemorySegment.copy(m, JAVA_BYTE, base + Libc.CMSG_HDR + 4, a, 0, 4);
                from.setSource(a, 0, 4, m.get(JAVA_INT, base + Libc.CMSG_HDR));
                return;
            }
            if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO) {
                // struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }
                MemorySegment.copy(m, JAVA_BYTE, base + Libc.CMSG_HDR, a, 0, 16);
                int ifindex = m.get(JAVA_INT, base + Libc.CMSG_HDR + 16);
                if (isV4Mapped(a, 0)) {
                    from.setSource(a, 12, 4, ifindex);
                } else {
                    from.setSource(a, 0, 16, ifindex);
                }
                // keep looking: an IP_PKTINFO for the same datagram is the better answer for IPv4
            }
            pos += (cmsgLen + 7) & ~7L;
        }
    }

    private static boolean isV4Mapped(byte[] a, int off) {
        for (int i = 0; i < 10; i++) {
            if (a[off + i] != 0) {
                return false;
            }
        }
        return a[off + 10] == (byte) 0xff && a[off + 11] == (byte) 0xff;
    }

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
            boolean sticky = to.sourceLength() != 0 && to.sourceLength() == to.addressLength();
            long n = Libc.sendmsg(ctx, s.ref.fd, buildSend(ctx, len, to, sticky), 0);
            if (n >= 0) {
                return;
            }
            int err = (int) -n;
            if (err == Libc.EINTR) {
                continue;
            }
            if (sticky
                    && (err == Libc.EINVAL
                            || err == Libc.EADDRNOTAVAIL
                            || err == Libc.ENETUNREACH
                            || err == Libc.EHOSTUNREACH)) {
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

    private static MemorySegment buildSend(NativeContext ctx, int len, Endpoint to, boolean sticky) {
        MemorySegment m = ctx.msg;
        MemorySegment sa = ctx.msgName;
        sa.set(JAVA_LONG, 0, 0L);
        sa.set(JAVA_LONG, 8, 0L);
        sa.set(JAVA_LONG, 16, 0L);
        sa.set(JAVA_INT, 24, 0);
        sa.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
        sa.set(JAVA_BYTE, 2, (byte) (to.port() >>> 8));
        sa.set(JAVA_BYTE, 3, (byte) to.port());
        if (to.isIpv6()) {
            MemorySegment.copy(to.addressBytes(), 0, sa, JAVA_BYTE, 8, 16);
        } else {
            sa.set(JAVA_BYTE, 18, (byte) 0xff);
            sa.set(JAVA_BYTE, 19, (byte) 0xff);
            MemorySegment.copy(to.addressBytes(), 0, sa, JAVA_BYTE, 20, 4);
        }
        m.set(ADDRESS, MsgLayout.IOV, ctx.io);
        m.set(JAVA_LONG, MsgLayout.IOV + 8, len);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_NAME, sa);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN6_SIZE);
        m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_IOV, ctx.msgIov);
        m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_IOVLEN, 1L);
        m.set(JAVA_INT, MsgLayout.HDR + Libc.MSG_FLAGS, 0);
        if (!sticky) {
            m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_CONTROL, MemorySegment.NULL);
            m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN, 0L);
        } else {
            long c = MsgLayout.CONTROL;
            if (to.isIpv6()) {
                // in6_pktinfo: the source address and the interface it was seen on (needed for link-local).
                m.set(JAVA_LONG, c, Libc.CMSG_HDR + 20);
                m.set(JAVA_INT, c + 8, Libc.IPPROTO_IPV6);
                m.set(JAVA_INT, c + 12, Libc.IPV6_PKTINFO);
                MemorySegment.copy(to.sourceBytes(), 0, m, JAVA_BYTE, c + Libc.CMSG_HDR, 16);
                m.set(JAVA_INT, c + Libc.CMSG_HDR + 16, to.sourceIfindex());
                m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN, Libc.cmsgSpace(20));
            } else {
                // in_pktinfo with ifindex 0: choose the source address only, let routing pick the interface.
                m.set(JAVA_LONG, c, Libc.CMSG_HDR + 12);
                m.set(JAVA_INT, c + 8, Libc.IPPROTO_IP);
                m.set(JAVA_INT, c + 12, Libc.IP_PKTINFO);
                m.set(JAVA_INT, c + Libc.CMSG_HDR, 0);
                MemorySegment.copy(to.sourceBytes(), 0, m, JAVA_BYTE, c + Libc.CMSG_HDR + 4, 4);
                m.set(JAVA_INT, c + Libc.CMSG_HDR + 8, 0);
                m.set(JAVA_LONG, MsgLayout.HDR + Libc.MSG_CONTROLLEN, Libc.cmsgSpace(12));
            }
            m.set(ADDRESS, MsgLayout.HDR + Libc.MSG_CONTROL, ctx.msgControl);
        }
        return ctx.msgHdr;
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
