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
}
