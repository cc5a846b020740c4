package dev.wgmesh.agent.host;

/**
 * Applying host network settings failed. When it failed midway, what had been changed was rolled back first; a step
 * that could not be undone is attached as a suppressed exception.
 */
public final class HostNetworkException extends Exception {
    public HostNetworkException(String message) {
        super(message);
    }

    public HostNetworkException(String message, Throwable cause) {
        super(message, cause);
    }
}
