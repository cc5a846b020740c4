package dev.wgmesh.dataplane.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native memory for {@code recvmmsg}/{@code sendmmsg}: {@link #MAX_MSGS} message headers, each with its
 * iovec, sockaddr and control buffer, and one data area that receive slots or packed send runs live in. Pointers
 * inside the headers are written as raw addresses, so filling a batch creates no segment objects.
 *
 * <pre>
 *   hdrs:  MAX_MSGS × struct mmsghdr (64)      msg_name → names[i], msg_iov → iovs[i], msg_control → ctrls[i]
 *   iovs:  MAX_MSGS × struct iovec (16)         base → somewhere in data
 *   names: MAX_MSGS × sockaddr_in6 (32)
 *   ctrls: MAX_MSGS × control (128)             pktinfo, UDP_SEGMENT / UDP_GRO
 *   data:  RX_SLOTS × SLOT (1 MiB)              receive: one slot per message; send: runs packed back to back
 * </pre>
 */
final class MmsgArea {
    static final int MAX_MSGS = 64;
    static final int RX_SLOTS = 16;
    static final int SLOT = 65536;
    static final long DATA_SIZE = (long) RX_SLOTS * SLOT;
    static final long NAME_SIZE = 32;
    static final long CTRL_SIZE = 128;

    private static final ThreadLocal<MmsgArea> CURRENT = ThreadLocal.withInitial(MmsgArea::new);

    final MemorySegment hdrs;
    final MemorySegment iovs;
    final MemorySegment names;
    final MemorySegment ctrls;
    final MemorySegment data;
    /** {@code hdrs} from message i on, for resuming a partial sendmmsg. */
    final MemorySegment[] hdrFrom = new MemorySegment[MAX_MSGS];
    /** Send bookkeeping: the first datagram index and the datagram count of message i. */
    final int[] first = new int[MAX_MSGS];

    final int[] runs = new int[MAX_MSGS];
    /** Where the last pack stopped (the first datagram not yet in a message). */
    int packedUpTo;
    /** Heap copy of one received datagram's address, for Endpoint. */
    final byte[] addr = new byte[16];

    private MmsgArea() {
        Arena arena = Arena.ofAuto();
        hdrs = arena.allocate(MAX_MSGS * Libc.MMSGHDR_SIZE, 8);
        iovs = arena.allocate(MAX_MSGS * Libc.IOVEC_SIZE, 8);
        names = arena.allocate(MAX_MSGS * NAME_SIZE, 8);
        ctrls = arena.allocate(MAX_MSGS * CTRL_SIZE, 8);
        data = arena.allocate(DATA_SIZE, 64);
        for (int i = 0; i < MAX_MSGS; i++) {
            hdrFrom[i] = hdrs.asSlice(i * Libc.MMSGHDR_SIZE);
        }
    }

    static MmsgArea current() {
        return CURRENT.get();
    }

    static long hdr(int i) {
        return i * Libc.MMSGHDR_SIZE;
    }

    static long name(int i) {
        return i * NAME_SIZE;
    }

    static long ctrl(int i) {
        return i * CTRL_SIZE;
    }

    /** Points message i at data[dataOff..dataOff+len), its name slot and its control ({@code ctrlLen} 0 = none). */
    void setMessage(int i, long dataOff, long len, int nameLen, long ctrlLen) {
        long h = hdr(i);
        iovs.set(JAVA_LONG, i * Libc.IOVEC_SIZE, data.address() + dataOff);
        iovs.set(JAVA_LONG, i * Libc.IOVEC_SIZE + 8, len);
        hdrs.set(JAVA_LONG, h + Libc.MSG_NAME, names.address() + name(i));
        hdrs.set(JAVA_INT, h + Libc.MSG_NAMELEN, nameLen);
        hdrs.set(JAVA_LONG, h + Libc.MSG_IOV, iovs.address() + i * Libc.IOVEC_SIZE);
        hdrs.set(JAVA_LONG, h + Libc.MSG_IOVLEN, 1L);
        hdrs.set(JAVA_LONG, h + Libc.MSG_CONTROL, ctrlLen == 0 ? 0L : ctrls.address() + ctrl(i));
        hdrs.set(JAVA_LONG, h + Libc.MSG_CONTROLLEN, ctrlLen);
        hdrs.set(JAVA_INT, h + Libc.MSG_FLAGS, 0);
        hdrs.set(JAVA_INT, h + Libc.MMSG_LEN, 0);
    }
}
