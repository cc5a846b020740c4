package dev.wgmesh.dataplane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native memory for {@link Libc} calls: the errno capture area, a small scratch area for option values
 * and ifreq structures, and a packet-sized I/O area. Owned by one thread at a time; obtained through
 * {@link #current()} so the hot path never allocates (one instance per thread, created on first use).
 *
 * <p>Memory comes from an automatic arena: it is freed when the thread and its context become unreachable.
 */
public final class NativeContext {
    /** Largest datagram or TUN frame we handle: the 64 KiB IP maximum plus room for a virtio header. */
    public static final int IO_SIZE = 65536 + 64;

    private static final ThreadLocal<NativeContext> CURRENT = ThreadLocal.withInitial(NativeContext::new);

    final MemorySegment capture;
    /** 256 bytes: option values, ifreq, socklen_t, C strings. */
    final MemorySegment scratch;
    /** Packet data for calls that cannot take heap arrays (recvmsg/sendmsg iovecs point here). */
    public final MemorySegment io;
    /** msghdr + iovec + sockaddr_in6 + control buffer for recvmsg/sendmsg. */
    final MemorySegment msg;
    /** Views into {@link #msg}, made once so per-packet code does not slice (see {@link MsgLayout}). */
    final MemorySegment msgHdr;

    final MemorySegment msgIov;
    final MemorySegment msgName;
    final MemorySegment msgControl;
    /** Two pollfd entries. */
    final MemorySegment pollfds;
    /** Heap scratch for one address, so received addresses reach {@code Endpoint} without allocating. */
    final byte[] addr = new byte[16];

    private NativeContext() {
        Arena arena = Arena.ofAuto();
        capture = arena.allocate(Libc.CAPTURE_LAYOUT);
        scratch = arena.allocate(256, 8);
        io = arena.allocate(IO_SIZE, 64);
        msg = arena.allocate(MsgLayout.SIZE, 8);
        msgHdr = msg.asSlice(MsgLayout.HDR, Libc.MSGHDR.byteSize());
        msgIov = msg.asSlice(MsgLayout.IOV, Libc.IOVEC_SIZE);
        msgName = msg.asSlice(MsgLayout.NAME, Libc.SOCKADDR_IN6_SIZE);
        msgControl = msg.asSlice(MsgLayout.CONTROL, MsgLayout.CONTROL_SIZE);
        pollfds = arena.allocate(2 * Libc.POLLFD_SIZE, 8);
    }

    public static NativeContext current() {
        return CURRENT.get();
    }

    /** Writes {@code s} NUL-terminated into scratch memory (setup paths only; at most 200 bytes). */
    MemorySegment cString(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length > 200) {
            throw new IllegalArgumentException("string too long for scratch memory");
        }
        MemorySegment.copy(b, 0, scratch, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        scratch.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        return scratch;
    }

    /**
     * Waits until {@code fd} is ready for {@code events} or {@code wakeFd} becomes readable.
     *
     * @return the revents of {@code fd} (0 when only the wake-up fired or on timeout), or -errno
     */
    int pollTwo(int fd, short events, int wakeFd, int timeoutMillis) {
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, events);
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 0);
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_INT, 8, wakeFd);
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 12, Libc.POLLIN);
        pollfds.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 14, (short) 0);
        int r = Libc.poll(this, pollfds, wakeFd >= 0 ? 2 : 1, timeoutMillis);
        if (r < 0) {
            return r;
        }
        return pollfds.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6) & 0xffff;
    }

    /** True when the wake-up descriptor of the last {@link #pollTwo} was readable. */
    boolean wokenUp() {
        return (pollfds.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 14) & 0xffff) != 0;
    }
}
