package dev.wgmesh.controller.user;

import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** Dashboard roles. VIEWER may only read (GET/HEAD); ADMIN may do everything. */
public enum Role {
    ADMIN,
    VIEWER;

    /** The Spring Security authority, e.g. {@code ROLE_ADMIN}, as used by {@code hasRole("ADMIN")}. */
    public List<GrantedAuthority> authorities() {
        return List.of(new SimpleGrantedAuthority("ROLE_" + name()));
    }
}
