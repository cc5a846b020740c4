package dev.wgmesh.controller.security;

import dev.wgmesh.controller.audit.ActorProvider;
import dev.wgmesh.controller.token.ApiTokenAuthentication;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Who is acting, for audit records: the dashboard username, {@code token:<name>} for API tokens, or
 * {@code system} outside any authenticated request (start-up, schedulers, agent-protocol calls).
 *
 * <p>Being an {@link ActorProvider} bean, it replaces the audit feature's {@code @Fallback} default.
 */
@Component
public class SecurityActorProvider implements ActorProvider {
    public static final String SYSTEM = "system";

    @Override
    public String currentActor() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated() || auth instanceof AnonymousAuthenticationToken) {
            return SYSTEM;
        }
        if (auth instanceof ApiTokenAuthentication token) {
            return token.getName();
        }
        return auth.getName();
    }
}
