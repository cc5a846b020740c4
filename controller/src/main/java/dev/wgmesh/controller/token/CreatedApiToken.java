package dev.wgmesh.controller.token;

/** The answer to token creation: the only time the secret is ever shown. */
public record CreatedApiToken(ApiToken token, String secret) {
    @Override
    public String toString() {
        return "CreatedApiToken[" + token + ", secret=***]";
    }
}
