-- Case-insensitive "name contains" search (PeerFilter: lower(name) LIKE '%...%') without a scan of the network's
-- peers: a trigram index on lower(name). pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may
-- create it without superuser rights. H2 has no counterpart: db/migration/h2/V21 keeps the version sequence alike.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX ix_peer_name_trgm ON peer USING gin (lower(name) gin_trgm_ops);
