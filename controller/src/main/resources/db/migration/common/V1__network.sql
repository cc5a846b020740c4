-- Networks: one WireGuard overlay each. Portable SQL: runs on PostgreSQL and on H2 in PostgreSQL mode.
CREATE TABLE network (
    id                    UUID         NOT NULL PRIMARY KEY,
    name                  VARCHAR(63)  NOT NULL,
    ipv4_prefix           VARCHAR(18)  NOT NULL,
    ipv6_prefix           VARCHAR(43),
    mtu                   INTEGER      NOT NULL DEFAULT 1420,
    -- Comma-separated IP literals or search domains, in wg-quick's DNS order.
    dns_servers           VARCHAR(1024) NOT NULL DEFAULT '',
    persistent_keepalive  INTEGER      NOT NULL DEFAULT 0,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    version               BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT uq_network_name UNIQUE (name),
    CONSTRAINT ck_network_mtu CHECK (mtu BETWEEN 1280 AND 65535),
    CONSTRAINT ck_network_keepalive CHECK (persistent_keepalive BETWEEN 0 AND 65535)
);
