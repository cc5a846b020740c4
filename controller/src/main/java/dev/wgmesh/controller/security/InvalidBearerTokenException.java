package dev.wgmesh.controller.security;

import org.springframework.security.core.AuthenticationException;

/** A presented bearer token that does not authenticate; deliberately says no more than that. */
final class InvalidBearerTokenException extends AuthenticationException {
    InvalidBearerTokenException() {
        super("invalid bearer token");
    }
}
