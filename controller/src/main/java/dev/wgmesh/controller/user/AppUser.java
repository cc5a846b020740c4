package dev.wgmesh.controller.user;

import java.time.Instant;
import java.util.UUID;

/** A dashboard user row. The password hash never leaves the user package (see {@link UserView}). */
record AppUser(UUID id, String username, String passwordHash, Role role, Instant createdAt) {
    @Override
    public String toString() {
        return "AppUser[" + id + ", " + username + ", " + role + "]";
    }

    UserView view() {
        return new UserView(id, username, role, createdAt);
    }
}
