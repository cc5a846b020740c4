-- Sites: LANs behind agents. Overlap between LAN prefixes is checked by the application under a lock on the
-- network row (prefix overlap is not expressible as a portable constraint).
CREATE TABLE site (
    id            UUID          NOT NULL PRIMARY KEY,
    network_id    UUID          NOT NULL,
    name          VARCHAR(63)   NOT NULL,
    -- Comma-separated canonical CIDR prefixes.
    lan_prefixes  VARCHAR(4000) NOT NULL DEFAULT '',
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    version       BIGINT        NOT NULL DEFAULT 0,
    CONSTRAINT fk_site_network FOREIGN KEY (network_id) REFERENCES network (id),
    CONSTRAINT uq_site_network_name UNIQUE (network_id, name)
);
