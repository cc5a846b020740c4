-- Peer list at 10,000+ peers per network (PeerFilter; the default sort is by name). Portable: PostgreSQL and H2.
-- Name sort and the network's count already use uq_peer_network_name (network_id, name).
-- kind + enabled filter in name order: one index range, read in page order, that also answers the count.
CREATE INDEX ix_peer_network_kind_enabled_name ON peer (network_id, kind, enabled, name);
-- Tag filter: (tag, peer_id) gives the semi-join the matching peer ids from the index alone; it supersedes (tag).
CREATE INDEX ix_peer_tag_tag_peer ON peer_tag (tag, peer_id);
DROP INDEX ix_peer_tag_tag;
