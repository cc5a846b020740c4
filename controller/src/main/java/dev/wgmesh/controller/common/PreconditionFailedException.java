package dev.wgmesh.controller.common;

/** The client's {@code If-Match} does not name the current version (HTTP 412): it must re-read and retry. */
public class PreconditionFailedException extends RuntimeException {
    public PreconditionFailedException(String message) {
        super(message);
    }
}
