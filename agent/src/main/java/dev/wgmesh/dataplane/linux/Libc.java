package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the Linux data plane needs, bound with the FFM API ({@code java.lang.foreign}).
 *
 * <p>Error convention: every wrapper returns the call's result, or {@code -errno} when the call failed, like a raw
 * Linux system call. No exception is created on the hot path; callers turn errors into exceptions where that is
 * the right thing (setup, configuration), and into counters or {@code -1} where it is not (packet I/O).
 *
 * <p>errno is captured with {@link Linker.Option#captureCallState} into a per-thread segment held by
 * {@link NativeContext}, so a call never allocates. Calls that take heap arrays ({@code readHeap}, {@code
 * writeHeap}) are linked {@link Linker.Option#critical critical} with heap access: they must never block, so the
 * descriptors they are used on are non-blocking and callers wait with {@link #poll} first.
 */
public final class Libc {
    private Libc() {}

    // ---- constants (x86_64 / aarch64 Linux; <asm-generic/errno.h>, <linux/if_tun.h>, <bits/socket.h>) ----
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EBADFD = 77;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int EHOSTUNREACH = 113;

    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_MARK = 36;
    public static final int SO_REUSEPORT = 15;
    public static final int SOL_UDP = 17;
    /** UDP GSO: a cmsg (u16) or socket option giving the segment size (Linux 4.18). */
    public static final int UDP_SEGMENT = 103;
    /** UDP GRO: coalesced receives, the segment size in an int cmsg (Linux 5.0). */
    public static final int UDP_GRO = 104;

    public static final int MSG_TRUNC = 0x20;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IP_PKTINFO = 8;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;

    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final long TUNSETIFF = 0x400454caL;
    public static final long TUNSETOFFLOAD = 0x400454d0L;
    public static final long TUNSETVNETHDRSZ = 0x400454d8L;
    public static final long SIOCGIFMTU = 0x8921L;
    public static final long SIOCGIFINDEX = 0x8933L;
    public static final short IFF_TUN = 0x0001;
    public static final short IFF_MULTI_QUEUE = 0x0100;
    public static final short IFF_NO_PI = 0x1000;
    public static final short IFF_VNET_HDR = 0x4000;
    public static final int IFNAMSIZ = 16;

    // ---- struct layouts (LP64 Linux) ----
    /** {@code struct ifreq}: name[16] then a 24-byte union (flags, mtu, ifindex all at offset 16). */
    public static final long IFREQ_SIZE = 40;

    public static final long IFREQ_UNION = 16;

    /** {@code struct sockaddr_in6}: family(2) port(2, big endian) flowinfo(4) addr(16) scope_id(4). */
    public static final long SOCKADDR_IN6_SIZE = 28;

    /** {@code struct msghdr}. */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    public static final long MSG_NAME = 0;
    public static final long MSG_NAMELEN = 8;
    public static final long MSG_IOV = 16;
    public static final long MSG_IOVLEN = 24;
    public static final long MSG_CONTROL = 32;
    public static final long MSG_CONTROLLEN = 40;
    public static final long MSG_FLAGS = 48;

    /** {@code struct mmsghdr}: a msghdr, then msg_len (unsigned int) and padding. */
    public static final long MMSGHDR_SIZE = 64;

    public static final long MMSG_LEN = 56;

    /** {@code struct iovec}: base pointer, length. */
    public static final long IOVEC_SIZE = 16;

    /** {@code struct cmsghdr}: len (size_t), level (int), type (int), then data aligned to 8. */
    public static final long CMSG_HDR = 16;

    /** {@code struct pollfd}: fd(4) events(2) revents(2). */
    public static final long POLLFD_SIZE = 8;

    public static long cmsgSpace(long dataLen) {
        return CMSG_HDR + ((dataLen + 7) & ~7L);
    }

    // ---- bindings ----
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    public static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup()
                .find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static final MethodHandle OPEN = bind(
            "open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle READ =
            bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle WRITE =
            bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO);
    private static final MethodHandle READ_CRITICAL = bind(
            "read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            ERRNO,
            Linker.Option.critical(true));
    private static final MethodHandle WRITE_CRITICAL = bind(
            "write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
            ERRNO,
            Linker.Option.critical(true));
    private static final MethodHandle IOCTL_PTR = bind(
            "ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = bind(
            "ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SOCKET =
            bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle BIND =
            bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle SETSOCKOPT =
            bind("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle GETSOCKOPT =
            bind("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO);
    private static final MethodHandle GETSOCKNAME =
            bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO);
    private static final MethodHandle RECVMSG =
            bind("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle SENDMSG =
            bind("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle RECVMMSG =
            bind("recvmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
    private static final MethodHandle SENDMMSG =
            bind("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle SCHED_SETAFFINITY =
            bind("sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO);
    private static final MethodHandle SCHED_SETSCHEDULER =
            bind("sched_setscheduler", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
    private static final MethodHandle GETTID = bind("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle POLL =
            bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO);
    private static final MethodHandle IF_NAMETOINDEX =
            bind("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS), ERRNO);
    private static final MethodHandle EVENTFD =
            bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle DUP2 = bind("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle STRERROR = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    private static int check(int result, MemorySegment capture) {
        return result < 0 ? -errno(capture) : result;
    }

    private static long check(long result, MemorySegment capture) {
        return result < 0 ? -errno(capture) : result;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static int open(NativeContext ctx, MemorySegment path, int flags, int mode) {
        try {
            return check((int) OPEN.invokeExact(ctx.capture, path, flags, mode), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(NativeContext ctx, int fd) {
        try {
            return check((int) CLOSE.invokeExact(ctx.capture, fd), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Blocking-capable read into native memory. */
    public static long read(NativeContext ctx, int fd, MemorySegment buf, long count) {
        try {
            return check((long) READ.invokeExact(ctx.capture, fd, buf, count), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(NativeContext ctx, int fd, MemorySegment buf, long count) {
        try {
            return check((long) WRITE.invokeExact(ctx.capture, fd, buf, count), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Critical read of up to {@code len} bytes into the heap segment {@code at} (at least {@code len} long; a cached
     * one, {@link dev.wgmesh.dataplane.buffer.PacketBuffer#segmentFrom}, makes the call allocation-free); {@code fd}
     * must be non-blocking.
     */
    public static long readHeap(NativeContext ctx, int fd, MemorySegment at, int len) {
        if (len < 0 || len > at.byteSize()) {
            throw new IndexOutOfBoundsException("read of " + len + " bytes into " + at.byteSize());
        }
        try {
            return check((long) READ_CRITICAL.invokeExact(ctx.capture, fd, at, (long) len), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Critical write of the first {@code len} bytes of the heap segment {@code from}; see {@link #readHeap}. */
    public static long writeHeap(NativeContext ctx, int fd, MemorySegment from, int len) {
        if (len < 0 || len > from.byteSize()) {
            throw new IndexOutOfBoundsException("write of " + len + " bytes from " + from.byteSize());
        }
        try {
            return check((long) WRITE_CRITICAL.invokeExact(ctx.capture, fd, from, (long) len), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(NativeContext ctx, int fd, long request, MemorySegment arg) {
        try {
            return check((int) IOCTL_PTR.invokeExact(ctx.capture, fd, request, arg), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(NativeContext ctx, int fd, long request, long arg) {
        try {
            return check((int) IOCTL_LONG.invokeExact(ctx.capture, fd, request, arg), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int socket(NativeContext ctx, int domain, int type, int protocol) {
        try {
            return check((int) SOCKET.invokeExact(ctx.capture, domain, type, protocol), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(NativeContext ctx, int fd, MemorySegment addr, int addrLen) {
        try {
            return check((int) BIND.invokeExact(ctx.capture, fd, addr, addrLen), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(NativeContext ctx, int fd, int level, int name, MemorySegment val, int len) {
        try {
            return check((int) SETSOCKOPT.invokeExact(ctx.capture, fd, level, name, val, len), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt with an {@code int} value, using the context's scratch memory. */
    public static int setsockoptInt(NativeContext ctx, int fd, int level, int name, int value) {
        ctx.scratch.set(JAVA_INT, 0, value);
        return setsockopt(ctx, fd, level, name, ctx.scratch, 4);
    }

    public static int getsockopt(NativeContext ctx, int fd, int level, int name, MemorySegment val, MemorySegment len) {
        try {
            return check((int) GETSOCKOPT.invokeExact(ctx.capture, fd, level, name, val, len), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt for an {@code int} value; returns the value, or {@code -errno}. */
    public static int getsockoptInt(NativeContext ctx, int fd, int level, int name) {
        ctx.scratch.set(JAVA_INT, 0, 0);
        ctx.scratch.set(JAVA_INT, 8, 4);
        int r = getsockopt(ctx, fd, level, name, ctx.scratch, ctx.scratch.asSlice(8, 4));
        return r < 0 ? r : ctx.scratch.get(JAVA_INT, 0);
    }

    public static int getsockname(NativeContext ctx, int fd, MemorySegment addr, MemorySegment addrLen) {
        try {
            return check((int) GETSOCKNAME.invokeExact(ctx.capture, fd, addr, addrLen), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recvmsg(NativeContext ctx, int fd, MemorySegment msghdr, int flags) {
        try {
            return check((long) RECVMSG.invokeExact(ctx.capture, fd, msghdr, flags), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendmsg(NativeContext ctx, int fd, MemorySegment msghdr, int flags) {
        try {
            return check((long) SENDMSG.invokeExact(ctx.capture, fd, msghdr, flags), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmmsg(2) without a timeout; returns the number of messages received or -errno. */
    public static int recvmmsg(NativeContext ctx, int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            return check(
                    (int) RECVMMSG.invokeExact(ctx.capture, fd, msgvec, vlen, flags, MemorySegment.NULL), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendmmsg(2); returns the number of messages sent (fewer on a later failure) or -errno for the first. */
    public static int sendmmsg(NativeContext ctx, int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            return check((int) SENDMMSG.invokeExact(ctx.capture, fd, msgvec, vlen, flags), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Pins the calling thread to the CPUs set in {@code mask} (a cpu_set_t of {@code size} bytes). */
    public static int schedSetaffinity(NativeContext ctx, long size, MemorySegment mask) {
        try {
            return check((int) SCHED_SETAFFINITY.invokeExact(ctx.capture, 0, size, mask), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;

    /**
     * sched_setscheduler(2) for thread {@code tid} (0: the calling thread): {@code policy} at {@code priority} (1–99
     * for {@link #SCHED_FIFO}, 0 for {@link #SCHED_OTHER}); 0 or -errno (EPERM without CAP_SYS_NICE, ESRCH).
     */
    public static int schedSetscheduler(NativeContext ctx, int tid, int policy, int priority) {
        MemorySegment param = ctx.scratch.asSlice(0, 4); // struct sched_param { int sched_priority; }
        param.set(JAVA_INT, 0, priority);
        try {
            return check((int) SCHED_SETSCHEDULER.invokeExact(ctx.capture, tid, policy, param), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** gettid(2): the calling thread's kernel id. */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) on {@code nfds} entries of {@code fds}; returns the number ready, 0 on timeout, or -errno. */
    public static int poll(NativeContext ctx, MemorySegment fds, int nfds, int timeoutMillis) {
        try {
            return check((int) POLL.invokeExact(ctx.capture, fds, (long) nfds, timeoutMillis), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The interface index of {@code name}, or 0 when there is no such interface (in this thread's namespace). */
    public static int ifNameToIndex(NativeContext ctx, String name) {
        MemorySegment cname = ctx.cString(name);
        try {
            return (int) IF_NAMETOINDEX.invokeExact(ctx.capture, cname);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(NativeContext ctx, int initval, int flags) {
        try {
            return check((int) EVENTFD.invokeExact(ctx.capture, initval, flags), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Moves the calling thread into the namespace {@code fd} refers to (only this OS thread). */
    public static int setns(NativeContext ctx, int fd, int nstype) {
        try {
            return check((int) SETNS.invokeExact(ctx.capture, fd, nstype), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int dup2(NativeContext ctx, int oldFd, int newFd) {
        try {
            return check((int) DUP2.invokeExact(ctx.capture, oldFd, newFd), ctx.capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's message for {@code errno} (positive). */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Convenience for setup paths: the result when non-negative, else an exception naming the call. */
    public static long checked(long result, String what) throws java.io.IOException {
        if (result < 0) {
            throw new NativeException(what, (int) -result);
        }
        return result;
    }
}
