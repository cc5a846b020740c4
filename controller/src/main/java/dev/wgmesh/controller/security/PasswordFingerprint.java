package dev.wgmesh.controller.security;

import dev.wgmesh.controller.token.OpaqueSecret;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * A short digest of a user's stored password hash, kept in their session at login: when the password changes,
 * the digest no longer matches and {@link SessionUserRevalidationFilter} ends the session. The session never
 * holds the hash itself.
 */
final class PasswordFingerprint {
    static final String SESSION_ATTRIBUTE = "wgmesh.passwordFingerprint";

    private PasswordFingerprint() {}

    static String of(UserDetails user) {
        return OpaqueSecret.sha256Hex(String.valueOf(user.getPassword())).substring(0, 32);
    }
}
