package dev.wgmesh.controller.user;

import java.time.Instant;
import java.util.UUID;

/** A user as the REST API shows it: never with the password hash. */
public record UserView(UUID id, String username, Role role, Instant createdAt) {}
