package dev.wgmesh.controller.security;

import dev.wgmesh.controller.token.ApiTokenAuthentication;
import dev.wgmesh.controller.user.Role;
import java.time.Instant;
import java.util.UUID;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/me}: who the caller is and what they may do. */
@RestController
class MeController {
    enum Via {
        SESSION,
        TOKEN
    }

    /** @param tokenId and tokenExpiresAt are set for token callers only */
    record Me(String name, Role role, Via via, UUID tokenId, Instant tokenExpiresAt) {}

    @GetMapping("/api/v1/me")
    Me me(Authentication auth) {
        if (auth instanceof ApiTokenAuthentication token) {
            return new Me(
                    token.getName(),
                    CurrentRole.of(auth),
                    Via.TOKEN,
                    token.token().id(),
                    token.token().expiresAt());
        }
        return new Me(auth.getName(), CurrentRole.of(auth), Via.SESSION, null, null);
    }
}
