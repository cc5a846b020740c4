-- Wakes the other replicas' outbox readers (ChangePoller, LISTEN wgmesh_change) when a change commits: one
-- notification per INSERT statement on change_outbox, sent by PostgreSQL at the commit of the inserting transaction
-- (never for a rolled-back one). The writer used to send a separate SELECT pg_notify(...) after each insert: one more
-- round trip per change, a simple-protocol statement parsed and planned each time on both ends (a peer creation has
-- six round trips left). A statement-level trigger fires once however many rows the statement inserts; identical
-- notifications of one transaction are folded into one by PostgreSQL anyway. The payload stays empty: readers read
-- the outbox, not the notification.
CREATE FUNCTION change_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('wgmesh_change', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER tr_change_outbox_notify
    AFTER INSERT ON change_outbox
    FOR EACH STATEMENT
    EXECUTE FUNCTION change_outbox_notify();
