package dev.wgmesh.dataplane.linux;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code in another network namespace. {@code setns(2)} moves only the calling OS thread, so the work runs on a
 * fresh platform thread that enters the namespace and then ends: descriptors created there (a TUN, a control
 * socket) stay bound to that namespace and can be used from any thread afterwards.
 */
public final class ThreadNetns {
    private ThreadNetns() {}

    /** Runs {@code work} inside the namespace {@code nsPath} (e.g. {@code /var/run/netns/NAME}) and returns its result. */
    public static <T> T call(Path nsPath, Callable<T> work) throws IOException, InterruptedException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + nsPath.getFileName()).unstarted(() -> {
            try {
                enterCurrentThread(nsPath);
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        Throwable e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e != null) {
            throw new IOException(new ExecutionException(e));
        }
        return result.get();
    }

    /** Moves the calling thread into {@code nsPath}; use only on a thread you own and discard afterwards. */
    public static void enterCurrentThread(Path nsPath) throws IOException {
        NativeContext ctx = NativeContext.current();
        int fd =
                (int) Libc.checked(Libc.open(ctx, ctx.cString(nsPath.toString()), Libc.O_CLOEXEC, 0), "open " + nsPath);
        try {
            Libc.checked(Libc.setns(ctx, fd, Libc.CLONE_NEWNET), "setns " + nsPath);
        } finally {
            Libc.close(ctx, fd);
        }
    }
}
