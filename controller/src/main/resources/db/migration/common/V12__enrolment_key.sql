-- Enrolment keys: agents present one to join a network (issue 6; redeemed by the agent protocol).
-- usage_limit NULL = unlimited (reusable keys only); a one-shot key has usage_limit 1.
-- The CHECK on use_count is a second line of defence behind the guarded UPDATE in EnrolmentKeyRepository.
-- site_id has no foreign key yet: the site table arrives with the networks/sites feature and gets one then.
CREATE TABLE enrolment_key (
    id             UUID         NOT NULL PRIMARY KEY,
    network_id     UUID         NOT NULL,
    site_id        UUID,
    name           VARCHAR(64)  NOT NULL,
    secret_sha256  VARCHAR(64)  NOT NULL,
    reusable       BOOLEAN      NOT NULL,
    usage_limit    INTEGER,
    use_count      INTEGER      NOT NULL DEFAULT 0,
    created_by     VARCHAR(128) NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at     TIMESTAMP WITH TIME ZONE,
    last_used_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT fk_enrolment_key_network FOREIGN KEY (network_id) REFERENCES network (id) ON DELETE CASCADE,
    CONSTRAINT ck_enrolment_key_limit CHECK (usage_limit IS NULL OR usage_limit >= 1),
    CONSTRAINT ck_enrolment_key_one_shot CHECK (reusable OR usage_limit = 1),
    CONSTRAINT ck_enrolment_key_count CHECK (use_count >= 0 AND (usage_limit IS NULL OR use_count <= usage_limit))
);
CREATE INDEX ix_enrolment_key_network ON enrolment_key (network_id);
