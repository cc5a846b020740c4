package dev.wgmesh.dataplane.linux;

import java.io.IOException;

/** A failed libc call on a setup or control path, with its errno (positive) and the C library's message. */
public final class NativeException extends IOException {
    private final int errno;

    public NativeException(String call, int errno) {
        super(call + ": " + Libc.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
