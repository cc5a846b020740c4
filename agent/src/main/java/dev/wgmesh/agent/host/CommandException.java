package dev.wgmesh.agent.host;

import java.util.List;

/** An external command failed: it could not start, timed out, or exited non-zero. The message says which and why. */
public final class CommandException extends Exception {
    private final int exitCode;

    public CommandException(List<String> argv, int exitCode, String stderr) {
        super("'" + String.join(" ", argv) + "' " + (exitCode < 0 ? "" : "exited with status " + exitCode)
                + (stderr.isBlank() ? "" : (exitCode < 0 ? "" : ": ") + stderr.strip()));
        this.exitCode = exitCode;
    }

    /** The exit status, or -1 when the program did not start or timed out. */
    public int exitCode() {
        return exitCode;
    }
}
