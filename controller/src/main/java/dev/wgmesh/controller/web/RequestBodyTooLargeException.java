package dev.wgmesh.controller.web;

import java.io.IOException;

/** Thrown while reading a request body that grows past the configured limit (it had no or a false Content-Length). */
class RequestBodyTooLargeException extends IOException {
    RequestBodyTooLargeException(long limit) {
        super("request body exceeds " + limit + " bytes");
    }
}
