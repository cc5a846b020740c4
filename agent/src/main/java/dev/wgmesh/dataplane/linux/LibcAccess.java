package dev.wgmesh.dataplane.linux;

/** Small conveniences over {@link Libc} for callers outside this package (tools, benchmarks, the daemon). */
public final class LibcAccess {
    private LibcAccess() {}

    /** Opens {@code path} with {@code flags}; returns the fd or -errno. */
    public static int openPath(NativeContext ctx, String path, int flags) {
        return Libc.open(ctx, ctx.cString(path), flags | Libc.O_CLOEXEC, 0);
    }

    /** The interface index of {@code name} in the calling thread's namespace, 0 when it does not exist. */
    public static int ifindex(String name) {
        return Libc.ifNameToIndex(NativeContext.current(), name);
    }

    /**
     * Points stdin and stdout (and stderr unless {@code keepStderr}) at /dev/null: a daemon detaching from the pipe
     * its launcher reads.
     */
    public static void detachStdio(boolean keepStderr) throws java.io.IOException {
        NativeContext ctx = NativeContext.current();
        int fd = (int) Libc.checked(openPath(ctx, "/dev/null", Libc.O_RDWR), "open /dev/null");
        try {
            for (int target = 0; target <= (keepStderr ? 1 : 2); target++) {
                Libc.checked(Libc.dup2(ctx, fd, target), "dup2");
            }
        } finally {
            if (fd > 2) {
                Libc.close(ctx, fd);
            }
        }
    }
}
