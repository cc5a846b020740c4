package dev.wgmesh.controller.token;

import dev.wgmesh.controller.user.Role;

/** What an API token may do: READ acts as a VIEWER, WRITE as an ADMIN. */
public enum TokenScope {
    READ(Role.VIEWER),
    WRITE(Role.ADMIN);

    private final Role role;

    TokenScope(Role role) {
        this.role = role;
    }

    public Role role() {
        return role;
    }
}
