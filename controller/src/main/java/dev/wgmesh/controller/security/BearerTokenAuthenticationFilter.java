package dev.wgmesh.controller.security;

import dev.wgmesh.controller.token.ApiToken;
import dev.wgmesh.controller.token.ApiTokenAuthentication;
import dev.wgmesh.controller.token.ApiTokenService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer <token>} authentication for API tokens (RFC 6750 §2.1).
 *
 * <p>A request that presents a bearer token is judged by that token alone: a bad token is a 401 even if the
 * request also carries a valid session cookie, so a script never silently runs with someone's dashboard session.
 * Bearer requests are stateless: the authentication lives in this request's context only, never in a session.
 */
final class BearerTokenAuthenticationFilter extends OncePerRequestFilter {
    private static final String SCHEME = "Bearer ";

    /** Matches requests that carry a bearer token; CSRF protection skips these (browsers never add the header). */
    static final RequestMatcher BEARER_REQUEST = request -> bearerValue(request) != null;

    private final ApiTokenService tokens;
    private final AuthenticationEntryPoint entryPoint;

    BearerTokenAuthenticationFilter(ApiTokenService tokens, AuthenticationEntryPoint entryPoint) {
        this.tokens = tokens;
        this.entryPoint = entryPoint;
    }

    static String bearerValue(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        return header.substring(SCHEME.length()).strip();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String secret = bearerValue(request);
        if (secret == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<ApiToken> token = tokens.authenticate(secret);
        if (token.isEmpty()) {
            SecurityContextHolder.clearContext();
            entryPoint.commence(request, response, new InvalidBearerTokenException());
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new ApiTokenAuthentication(token.get()));
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }
}
