package dev.wgmesh.agent.sync;

/** A revision was rejected; neither the device nor the host changed. The message never holds key material. */
public final class ApplyException extends Exception {
    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
