package dev.wgmesh.controller.common;

/** The request is valid but cannot be carried out for this resource (HTTP 422), e.g. a config too large for a QR code. */
public class UnprocessableException extends RuntimeException {
    public UnprocessableException(String message) {
        super(message);
    }
}
