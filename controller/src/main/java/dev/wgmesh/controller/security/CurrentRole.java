package dev.wgmesh.controller.security;

import dev.wgmesh.controller.user.Role;
import org.springframework.security.core.Authentication;

/** The {@link Role} an authentication carries (tokens map their scope onto one). */
final class CurrentRole {
    private CurrentRole() {}

    static Role of(Authentication auth) {
        return auth.getAuthorities().stream().anyMatch(a -> "ROLE_ADMIN".equals(a.getAuthority()))
                ? Role.ADMIN
                : Role.VIEWER;
    }
}
