package dev.wgmesh.controller.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

/**
 * 401 as problem+json. The challenge is {@code Bearer} (RFC 6750 §3), never {@code Basic}, so browsers do not pop
 * up a password dialog; a rejected token gets {@code error="invalid_token"}.
 */
final class ProblemAuthenticationEntryPoint implements AuthenticationEntryPoint {
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
            throws IOException {
        boolean tokenRejected = ex instanceof InvalidBearerTokenException;
        response.setHeader(
                HttpHeaders.WWW_AUTHENTICATE,
                tokenRejected ? "Bearer realm=\"wgmesh\", error=\"invalid_token\"" : "Bearer realm=\"wgmesh\"");
        ProblemJson.write(
                request,
                response,
                HttpStatus.UNAUTHORIZED,
                tokenRejected
                        ? "The bearer token is malformed, unknown, expired or revoked"
                        : "Authentication required: log in or send 'Authorization: Bearer <token>'");
    }
}
