-- IPAM: one row per tunnel address in use. The primary key is what makes allocation safe under concurrent
-- requests and across controller replicas: two allocators can pick the same candidate, only one insert succeeds.
-- host_index is the address minus the prefix's base address (NUMERIC: IPv6 offsets exceed BIGINT).
-- A row is reserved first (peer_id NULL, autocommitted) and claimed by the peer's transaction; deleting the peer
-- frees it (cascade). Reservations never claimed (a crash between the two steps) are reaped after a grace period.
CREATE TABLE ip_allocation (
    network_id    UUID           NOT NULL,
    family        SMALLINT       NOT NULL,
    host_index    NUMERIC(39, 0) NOT NULL,
    address       VARCHAR(39)    NOT NULL,
    peer_id       UUID,
    reserved_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_ip_allocation PRIMARY KEY (network_id, family, host_index),
    CONSTRAINT uq_ip_allocation_address UNIQUE (network_id, address),
    CONSTRAINT ck_ip_allocation_family CHECK (family IN (4, 6)),
    CONSTRAINT fk_ip_allocation_network FOREIGN KEY (network_id) REFERENCES network (id) ON DELETE CASCADE,
    CONSTRAINT fk_ip_allocation_peer FOREIGN KEY (peer_id) REFERENCES peer (id) ON DELETE CASCADE
);
CREATE INDEX ix_ip_allocation_peer ON ip_allocation (peer_id);
