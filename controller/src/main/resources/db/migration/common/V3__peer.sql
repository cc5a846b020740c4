-- Peers: agents (site gateways, hosts running the wgmesh agent) and devices (stock WireGuard clients).
CREATE TABLE peer (
    id                    UUID         NOT NULL PRIMARY KEY,
    network_id            UUID         NOT NULL,
    site_id               UUID,
    name                  VARCHAR(63)  NOT NULL,
    kind                  VARCHAR(8)   NOT NULL,
    public_key            VARCHAR(44)  NOT NULL,
    -- AES-GCM ciphertext (keys.SecretCipher); only for DEVICE peers whose key pair the controller generated.
    private_key_sealed    VARCHAR(200),
    -- Denormalised copies of the ip_allocation rows this peer owns (the allocation table is the authority).
    tunnel_ipv4           VARCHAR(15)  NOT NULL,
    tunnel_ipv6           VARCHAR(39),
    endpoint              VARCHAR(261),
    listen_port           INTEGER,
    persistent_keepalive  INTEGER,
    enabled               BOOLEAN      NOT NULL DEFAULT TRUE,
    expires_at            TIMESTAMP WITH TIME ZONE,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    version               BIGINT       NOT NULL DEFAULT 0,
    CONSTRAINT fk_peer_network FOREIGN KEY (network_id) REFERENCES network (id),
    CONSTRAINT fk_peer_site FOREIGN KEY (site_id) REFERENCES site (id),
    CONSTRAINT uq_peer_network_name UNIQUE (network_id, name),
    CONSTRAINT uq_peer_public_key UNIQUE (public_key),
    CONSTRAINT uq_peer_tunnel_ipv4 UNIQUE (network_id, tunnel_ipv4),
    CONSTRAINT uq_peer_tunnel_ipv6 UNIQUE (network_id, tunnel_ipv6),
    CONSTRAINT ck_peer_kind CHECK (kind IN ('AGENT', 'DEVICE')),
    CONSTRAINT ck_peer_listen_port CHECK (listen_port BETWEEN 1 AND 65535),
    CONSTRAINT ck_peer_keepalive CHECK (persistent_keepalive BETWEEN 0 AND 65535)
);
CREATE INDEX ix_peer_site ON peer (site_id);

CREATE TABLE peer_tag (
    peer_id  UUID        NOT NULL,
    tag      VARCHAR(63) NOT NULL,
    CONSTRAINT pk_peer_tag PRIMARY KEY (peer_id, tag),
    CONSTRAINT fk_peer_tag_peer FOREIGN KEY (peer_id) REFERENCES peer (id) ON DELETE CASCADE
);
CREATE INDEX ix_peer_tag_tag ON peer_tag (tag);
