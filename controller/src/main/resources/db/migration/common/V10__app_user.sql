-- Dashboard users (issue 6). Portable SQL: runs on PostgreSQL and on H2 in PostgreSQL mode.
-- password_hash is a DelegatingPasswordEncoder string ("{bcrypt}$2a$..."), so the algorithm can change later
-- without a migration. Usernames are stored lower-case; the unique constraint is the race guard for
-- first-admin bootstrap when several replicas start at once.
CREATE TABLE app_user (
    id             UUID         NOT NULL PRIMARY KEY,
    username       VARCHAR(64)  NOT NULL,
    password_hash  VARCHAR(255) NOT NULL,
    role           VARCHAR(16)  NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_app_user_username UNIQUE (username),
    CONSTRAINT ck_app_user_role CHECK (role IN ('ADMIN', 'VIEWER'))
);
