package dev.wgmesh.controller.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.token.ApiToken;
import dev.wgmesh.controller.token.ApiTokenAuthentication;
import dev.wgmesh.controller.token.TokenScope;
import dev.wgmesh.controller.user.Role;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

class SecurityActorProviderTest {
    private final SecurityActorProvider actors = new SecurityActorProvider();

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    private String actorFor(Authentication auth) {
        SecurityContextHolder.getContext().setAuthentication(auth);
        return actors.currentActor();
    }

    @Test
    void namesUsersTokensAndSystem() {
        assertThat(actors.currentActor()).isEqualTo("system");
        assertThat(actorFor(new AnonymousAuthenticationToken("k", "anonymousUser", Role.VIEWER.authorities())))
                .isEqualTo("system");
        assertThat(actorFor(UsernamePasswordAuthenticationToken.authenticated("alice", null, Role.ADMIN.authorities())))
                .isEqualTo("alice");
        Instant now = Instant.now();
        ApiToken token =
                new ApiToken(UUID.randomUUID(), "ci", TokenScope.WRITE, "alice", now, now.plusSeconds(60), null, null);
        assertThat(actorFor(new ApiTokenAuthentication(token))).isEqualTo("token:ci");
    }
}
