package dev.wgmesh.controller.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.HashSet;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Re-reads a session user on every request, so deleting a user, changing their password (ends the session) or
 * their role (applies at once) takes effect on every replica, not when the session expires. One indexed lookup per
 * dashboard request; token requests skip it.
 */
final class SessionUserRevalidationFilter extends OncePerRequestFilter {
    private final UserDetailsService users;

    SessionUserRevalidationFilter(UserDetailsService users) {
        this.users = users;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth instanceof UsernamePasswordAuthenticationToken session && session.isAuthenticated()) {
            revalidate(request, session);
        }
        chain.doFilter(request, response);
    }

    private void revalidate(HttpServletRequest request, UsernamePasswordAuthenticationToken session) {
        UserDetails current;
        try {
            current = users.loadUserByUsername(session.getName());
        } catch (UsernameNotFoundException ex) {
            endSession(request);
            return;
        }
        HttpSession httpSession = request.getSession(false);
        Object fingerprint =
                httpSession == null ? null : httpSession.getAttribute(PasswordFingerprint.SESSION_ATTRIBUTE);
        if (fingerprint != null && !fingerprint.equals(PasswordFingerprint.of(current))) {
            endSession(request);
            return;
        }
        if (!new HashSet<>(current.getAuthorities()).equals(new HashSet<>(session.getAuthorities()))) {
            // This request runs with the current role; the session keeps the stale copy and is re-checked next time.
            SecurityContext fresh = SecurityContextHolder.createEmptyContext();
            fresh.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                    session.getPrincipal(), null, current.getAuthorities()));
            SecurityContextHolder.setContext(fresh);
        }
    }

    private static void endSession(HttpServletRequest request) {
        SecurityContextHolder.clearContext();
        HttpSession httpSession = request.getSession(false);
        if (httpSession != null) {
            httpSession.invalidate();
        }
    }
}
