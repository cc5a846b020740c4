-- IPAM: one row per tunnel address in use. The primary key is what makes allocation safe under concurrent
-- requests and across controller replicas: two allocators can pick the same candidate, only one insert succeeds.
-- host_index is the address minus the prefix's base address (NUMERIC: IPv6 offsets exceed BIGINT).
-- A row is inserted (autocommitted) for the peer id the peer is about to get, before the peer row exists: so there is
-- no foreign key to peer, and nothing in the peer's transaction ever updates an allocation row (a concurrent
-- allocator probing that row would have to wait for the whole transaction). Deleting a peer deletes its rows in the
-- same transaction; rows whose peer never appeared (a crash in between) are reaped after a grace period.
CREATE TABLE ip_allocation (
    network_id    UUID           NOT NULL,
    family        SMALLINT       NOT NULL,
    host_index    NUMERIC(39, 0) NOT NULL,
    address       VARCHAR(39)    NOT NULL,
    peer_id       UUID           NOT NULL,
    reserved_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_ip_allocation PRIMARY KEY (network_id, family, host_index),
    CONSTRAINT uq_ip_allocation_address UNIQUE (network_id, address),
    CONSTRAINT ck_ip_allocation_family CHECK (family IN (4, 6)),
    CONSTRAINT fk_ip_allocation_network FOREIGN KEY (network_id) REFERENCES network (id) ON DELETE CASCADE
);
CREATE INDEX ix_ip_allocation_peer ON ip_allocation (peer_id);
