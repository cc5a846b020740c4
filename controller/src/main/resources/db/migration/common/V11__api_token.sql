-- API tokens for scripts and CI (issue 6). The secret is "wgm_<id hex>_<random>"; only its SHA-256 is stored.
-- Revoked tokens keep their row (revoked_at set) so the audit trail can still name them.
CREATE TABLE api_token (
    id            UUID         NOT NULL PRIMARY KEY,
    name          VARCHAR(64)  NOT NULL,
    scope         VARCHAR(8)   NOT NULL,
    secret_sha256 VARCHAR(64)  NOT NULL,
    created_by    VARCHAR(128) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at    TIMESTAMP WITH TIME ZONE,
    last_used_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT ck_api_token_scope CHECK (scope IN ('READ', 'WRITE'))
);
