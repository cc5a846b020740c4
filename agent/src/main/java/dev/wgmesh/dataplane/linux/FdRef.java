package dev.wgmesh.dataplane.linux;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A file descriptor shared by several threads that may be closed while others are about to use it.
 *
 * <p>Closing an fd that another thread is blocked on, or about to pass to a call, is a classic bug: the number can
 * be reused by an unrelated open in between. So users bracket each call with {@link #acquire()} / {@link
 * #release()}, and {@link #close()} only marks the fd; the last user to release it closes it. Two atomic
 * operations per call, no allocation, no lock.
 */
final class FdRef {
    private static final long CLOSED = 1L << 62;

    final int fd;
    private final int[] alsoClose;
    private final AtomicLong state = new AtomicLong();

    /** @param alsoClose companion descriptors (wake-up eventfd, control socket) closed together with {@code fd} */
    FdRef(int fd, int... alsoClose) {
        this.fd = fd;
        this.alsoClose = alsoClose.clone();
    }

    /** @return false once {@link #close()} was called; the caller must not use {@link #fd} then */
    boolean acquire() {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    void release() {
        long s = state.decrementAndGet();
        if (s == CLOSED) {
            closeNow();
        }
    }

    /** Marks closed; the fd is closed now if unused, else by the last {@link #release()}. Idempotent. */
    void close() {
        while (true) {
            long s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    closeNow();
                }
                return;
            }
        }
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    private void closeNow() {
        NativeContext ctx = NativeContext.current();
        Libc.close(ctx, fd);
        for (int other : alsoClose) {
            Libc.close(ctx, other);
        }
    }
}
