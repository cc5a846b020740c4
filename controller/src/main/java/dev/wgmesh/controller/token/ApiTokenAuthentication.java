package dev.wgmesh.controller.token;

import java.util.Objects;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A request authenticated by an API token. Its name is {@code token:<token name>}, which is what audit records
 * show as the actor; authorities follow the scope (READ = VIEWER, WRITE = ADMIN).
 */
public final class ApiTokenAuthentication extends AbstractAuthenticationToken {
    private final ApiToken token;

    public ApiTokenAuthentication(ApiToken token) {
        super(token.scope().role().authorities());
        this.token = Objects.requireNonNull(token);
        setAuthenticated(true);
    }

    public ApiToken token() {
        return token;
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public Object getPrincipal() {
        return token;
    }

    @Override
    public String getName() {
        return "token:" + token.name();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiTokenAuthentication other && super.equals(other) && token.equals(other.token);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + token.hashCode();
    }
}
