-- Site-to-site meshes (mesh feature) and their rollouts (rollout feature). Portable SQL (PostgreSQL, H2).
-- A network has at most one mesh; its spec is versioned (mesh_revision, immutable), and each agent runs the
-- revision assigned to it (mesh_agent) or, without an assignment, the mesh's stable revision (0 = no mesh yet:
-- today's implicit full mesh).
CREATE TABLE mesh (
    id               UUID          NOT NULL PRIMARY KEY,
    network_id       UUID          NOT NULL,
    name             VARCHAR(63)   NOT NULL,
    -- Latest spec revision (1 at creation, +1 on every update).
    revision         BIGINT        NOT NULL,
    -- Last revision a rollout completed; what agents without an assignment run.
    stable_revision  BIGINT        NOT NULL DEFAULT 0,
    -- AES-GCM sealed 32-byte secret; each link's preshared key is derived from it (HMAC-SHA256, per generation).
    secret_sealed    VARCHAR(200)  NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    version          BIGINT        NOT NULL DEFAULT 0,
    CONSTRAINT fk_mesh_network FOREIGN KEY (network_id) REFERENCES network (id),
    CONSTRAINT uq_mesh_network UNIQUE (network_id)
);

CREATE TABLE mesh_revision (
    mesh_id     UUID            NOT NULL,
    revision    BIGINT          NOT NULL,
    -- The canonical spec as JSON (topology, hubs, members, links).
    spec        VARCHAR(1000000) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_mesh_revision PRIMARY KEY (mesh_id, revision),
    CONSTRAINT fk_mesh_revision_mesh FOREIGN KEY (mesh_id) REFERENCES mesh (id) ON DELETE CASCADE
);

-- The revision each agent (AGENT peer) has been rolled out to.
CREATE TABLE mesh_agent (
    mesh_id     UUID    NOT NULL,
    peer_id     UUID    NOT NULL,
    revision    BIGINT  NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_mesh_agent PRIMARY KEY (mesh_id, peer_id),
    CONSTRAINT fk_mesh_agent_mesh FOREIGN KEY (mesh_id) REFERENCES mesh (id) ON DELETE CASCADE,
    CONSTRAINT fk_mesh_agent_peer FOREIGN KEY (peer_id) REFERENCES peer (id) ON DELETE CASCADE
);

-- Key generation of links whose preshared key was rotated (no row = generation 0). Sites in canonical order.
CREATE TABLE mesh_link_key (
    mesh_id     UUID     NOT NULL,
    site_low    UUID     NOT NULL,
    site_high   UUID     NOT NULL,
    generation  INTEGER  NOT NULL,
    rotated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_mesh_link_key PRIMARY KEY (mesh_id, site_low, site_high),
    CONSTRAINT fk_mesh_link_key_mesh FOREIGN KEY (mesh_id) REFERENCES mesh (id) ON DELETE CASCADE
);

-- Rollouts: the state machine lives here so any replica can drive it; one replica at a time holds the lease.
CREATE TABLE rollout (
    id                UUID          NOT NULL PRIMARY KEY,
    mesh_id           UUID          NOT NULL,
    network_id        UUID          NOT NULL,
    target_revision   BIGINT        NOT NULL,
    -- The mesh's stable revision when the rollout started (restored by a rollback).
    from_stable       BIGINT        NOT NULL,
    state             VARCHAR(16)   NOT NULL,
    canary_size       INTEGER       NOT NULL,
    wave_size         INTEGER       NOT NULL,
    pause_ms          BIGINT        NOT NULL,
    gate_timeout_ms   BIGINT        NOT NULL,
    health_gates      BOOLEAN       NOT NULL,
    wave_count        INTEGER       NOT NULL,
    -- Index of the wave in progress (0 = canary); equals wave_count once every wave passed.
    current_wave      INTEGER       NOT NULL DEFAULT 0,
    -- PENDING (not yet applied), APPLIED (waiting for acks and health), or NULL between waves.
    wave_phase        VARCHAR(16),
    wave_started_at   TIMESTAMP WITH TIME ZONE,
    next_step_at      TIMESTAMP WITH TIME ZONE,
    reason            VARCHAR(2000),
    lease_owner       VARCHAR(128),
    lease_until       TIMESTAMP WITH TIME ZONE,
    created_by        VARCHAR(128)  NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT fk_rollout_mesh FOREIGN KEY (mesh_id) REFERENCES mesh (id) ON DELETE CASCADE,
    CONSTRAINT ck_rollout_state CHECK (state IN ('RUNNING', 'PAUSED', 'COMPLETED', 'ABORTED', 'ROLLING_BACK',
        'ROLLED_BACK'))
);
CREATE INDEX ix_rollout_mesh ON rollout (mesh_id, created_at);
CREATE INDEX ix_rollout_state ON rollout (state);

-- The agents a rollout changes, their wave, and what to restore on rollback.
CREATE TABLE rollout_agent (
    rollout_id         UUID         NOT NULL,
    peer_id            UUID         NOT NULL,
    wave               INTEGER      NOT NULL,
    -- The agent's assignment before the rollout touched it (NULL = none: it followed the stable revision).
    previous_revision  BIGINT,
    -- agent.desired_revision when its wave was applied: an ack counts only for a later revision.
    desired_before     BIGINT,
    -- True for an agent in the rollout only because it drifted: its wave re-sends its whole config.
    resync             BOOLEAN      NOT NULL DEFAULT FALSE,
    -- Comma-separated peer ids of the links its wave gates on (entries the plan adds or changes).
    gate_peers         VARCHAR(1000000) NOT NULL DEFAULT '',
    state              VARCHAR(16)  NOT NULL,
    detail             VARCHAR(1000),
    CONSTRAINT pk_rollout_agent PRIMARY KEY (rollout_id, peer_id),
    CONSTRAINT fk_rollout_agent_rollout FOREIGN KEY (rollout_id) REFERENCES rollout (id) ON DELETE CASCADE
);

CREATE TABLE rollout_event (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    rollout_id   UUID          NOT NULL,
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    kind         VARCHAR(32)   NOT NULL,
    wave         INTEGER,
    peer_id      UUID,
    detail       VARCHAR(2000),
    CONSTRAINT fk_rollout_event_rollout FOREIGN KEY (rollout_id) REFERENCES rollout (id) ON DELETE CASCADE
);
CREATE INDEX ix_rollout_event_rollout ON rollout_event (rollout_id, id);
