package dev.wgmesh.controller.user;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code wgmesh.admin.*}: the first ADMIN, created only when the user table is empty at start-up.
 *
 * @param username defaults to {@code admin}
 * @param password when blank, a random one is generated and logged once
 */
@ConfigurationProperties("wgmesh.admin")
public record AdminBootstrapProperties(String username, String password) {
    String usernameOrDefault() {
        return username == null || username.isBlank() ? "admin" : username;
    }

    boolean hasPassword() {
        return password != null && !password.isBlank();
    }

    @Override
    public String toString() {
        return "AdminBootstrapProperties[username=" + username + ", password=" + (hasPassword() ? "***" : "") + "]";
    }
}
