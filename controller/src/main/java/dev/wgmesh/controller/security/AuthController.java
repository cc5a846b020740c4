package dev.wgmesh.controller.security;

import dev.wgmesh.controller.user.Role;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Dashboard login and logout.
 *
 * <p>Login is a JSON POST that answers with a session cookie (HttpOnly, SameSite=Lax). It is exempt from CSRF
 * tokens (the SPA may not have one yet) and is still not forgeable cross-site: it only accepts
 * {@code application/json}, which an HTML form cannot send, and a cross-origin script cannot send it without a
 * CORS preflight this server never approves. On success the session id changes (session fixation) and the CSRF
 * token is replaced.
 */
@RestController
@RequestMapping("/api/v1/auth")
class AuthController {
    private final AuthenticationManager passwordAuthentication;
    private final LoginThrottle throttle;
    private final CsrfTokenRepository csrfTokens;
    private final UserDetailsService users;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

    AuthController(
            AuthenticationManager passwordAuthentication,
            LoginThrottle throttle,
            CsrfTokenRepository csrfTokens,
            UserDetailsService users) {
        this.passwordAuthentication = passwordAuthentication;
        this.throttle = throttle;
        this.csrfTokens = csrfTokens;
        this.users = users;
    }

    record LoginRequest(@NotNull String username, @NotNull String password) {
        @Override
        public String toString() {
            return "LoginRequest[username=" + username + "]";
        }
    }

    record LoginResponse(String username, Role role) {}

    @PostMapping(path = "/login", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> login(
            @Valid @RequestBody LoginRequest body, HttpServletRequest request, HttpServletResponse response) {
        String username = body.username().strip().toLowerCase(Locale.ROOT);
        String clientIp = request.getRemoteAddr();
        Optional<Duration> blocked = throttle.blockedFor(username, clientIp);
        if (blocked.isPresent()) {
            long seconds = Math.max(1, (blocked.get().toMillis() + 999) / 1000);
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .body(problem(HttpStatus.TOO_MANY_REQUESTS, "Too many failed logins; retry in " + seconds + " s"));
        }
        Authentication auth;
        try {
            auth = passwordAuthentication.authenticate(
                    UsernamePasswordAuthenticationToken.unauthenticated(username, body.password()));
        } catch (AuthenticationException ex) {
            throttle.recordFailure(username, clientIp);
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                    .body(problem(HttpStatus.UNAUTHORIZED, "Invalid username or password"));
        }
        throttle.recordSuccess(username);
        startSession(auth, request, response);
        return ResponseEntity.ok(new LoginResponse(auth.getName(), CurrentRole.of(auth)));
    }

    private void startSession(Authentication auth, HttpServletRequest request, HttpServletResponse response) {
        if (request.getSession(false) != null) {
            request.changeSessionId();
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(auth);
        SecurityContextHolder.setContext(context);
        contexts.saveContext(context, request, response);
        request.getSession()
                .setAttribute(
                        PasswordFingerprint.SESSION_ATTRIBUTE,
                        PasswordFingerprint.of(users.loadUserByUsername(auth.getName())));
        csrfTokens.saveToken(csrfTokens.generateToken(request), request, response);
    }

    /** Ends the session (any role may). For token callers there is nothing to end; still 204. */
    @PostMapping("/logout")
    ResponseEntity<Void> logout(Authentication auth, HttpServletRequest request, HttpServletResponse response) {
        new SecurityContextLogoutHandler().logout(request, response, auth);
        csrfTokens.saveToken(null, request, response);
        return ResponseEntity.noContent().build();
    }

    private static ProblemDetail problem(HttpStatus status, String detail) {
        return ProblemDetail.forStatusAndDetail(status, detail);
    }
}
