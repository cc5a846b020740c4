package dev.wgmesh.dataplane.config;

/**
 * A configuration change that was refused, with the errno the UAPI answers ({@code errno=N}).
 *
 * <p>Messages name the offending field, never key material.
 */
public final class ConfigException extends Exception {
    /** Invalid argument: malformed key, prefix, endpoint, out-of-range number. */
    public static final int EINVAL = 22;
    /** Address in use: the listen port is taken. */
    public static final int EADDRINUSE = 98;
    /** Protocol error: unknown key or bad line structure in a UAPI transaction. */
    public static final int EPROTO = 71;
    /** I/O error while applying (socket could not be rebound...). */
    public static final int EIO = 5;

    private final int errno;

    public ConfigException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public ConfigException(int errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
