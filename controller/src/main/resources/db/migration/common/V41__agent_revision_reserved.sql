-- Revisions are numbered by sessions from blocks reserved here (agentapi.RevisionBlocks): a new session's block
-- starts above every revision an earlier session of the agent may have sent, on any replica, before it was written.
ALTER TABLE agent ADD COLUMN revision_reserved BIGINT NOT NULL DEFAULT 0;
UPDATE agent SET revision_reserved = GREATEST(desired_revision, applied_revision);
