package dev.wgmesh.dataplane.linux;

import dev.wgmesh.dataplane.io.ThreadPriority;

/**
 * {@link ThreadPriority} on Linux: raised is {@code SCHED_FIFO} at the lowest real-time priority (1), which preempts
 * every {@code SCHED_OTHER} thread the moment it wakes; lowered is {@code SCHED_OTHER}. Raising needs CAP_SYS_NICE
 * (the daemon runs as root for its TUN device; in a container without it, raising is refused and nothing changes).
 * The kernel's real-time throttling (by default 95% of each second) bounds what a raised thread can take.
 */
public final class LinuxThreadPriority implements ThreadPriority {
    public static final LinuxThreadPriority INSTANCE = new LinuxThreadPriority();

    private LinuxThreadPriority() {}

    @Override
    public boolean raise() {
        return Libc.schedSetscheduler(NativeContext.current(), 0, Libc.SCHED_FIFO, 1) == 0;
    }

    @Override
    public int self() {
        return Libc.gettid();
    }

    @Override
    public boolean raise(int thread) {
        return thread > 0 && Libc.schedSetscheduler(NativeContext.current(), thread, Libc.SCHED_FIFO, 1) == 0;
    }

    @Override
    public void lower() {
        Libc.schedSetscheduler(NativeContext.current(), 0, Libc.SCHED_OTHER, 0);
    }
}
