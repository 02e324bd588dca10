-- Entity store, conversation slice: written only by the entity_store projection.

-- Version of each user's event stream (events applied so far); the optimistic-concurrency check.
CREATE TABLE IF NOT EXISTS user_streams (
    user_id    uuid        PRIMARY KEY,
    version    bigint      NOT NULL CHECK (version >= 0),
    updated_at timestamptz NOT NULL
);

-- One row per event batch: how the fold disposed of it. The gateway waits on it (read your
-- writes) and replays the first result for a retried Idempotency-Key.
CREATE TABLE IF NOT EXISTS batch_outcomes (
    batch_id         uuid        PRIMARY KEY,
    user_id          uuid        NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('applied', 'duplicate', 'conflict', 'rejected')),
    code             text        NOT NULL DEFAULT '',
    message          text        NOT NULL DEFAULT '',
    duplicate_of     uuid,
    idempotency_key  text        NOT NULL,
    request_hash     text        NOT NULL,
    resource_type    text        NOT NULL DEFAULT '',
    resource_id      uuid,
    expected_version bigint,
    stream_version   bigint      NOT NULL,
    topic            text        NOT NULL,
    partition        integer     NOT NULL,
    "offset"         bigint      NOT NULL,
    occurred_at      timestamptz NOT NULL,
    applied_at       timestamptz NOT NULL DEFAULT now()
);
-- An idempotency key is used by the first batch applied or rejected under it, and only once.
CREATE UNIQUE INDEX IF NOT EXISTS ux_batch_outcomes_idempotency
    ON batch_outcomes (user_id, idempotency_key) WHERE outcome IN ('applied', 'rejected');
CREATE INDEX IF NOT EXISTS ix_batch_outcomes_user_applied ON batch_outcomes (user_id, applied_at DESC);

CREATE TABLE IF NOT EXISTS users (
    id           uuid        PRIMARY KEY,
    email        text,
    display_name text        NOT NULL,
    role         text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    time_zone    text        NOT NULL,
    locale       text        NOT NULL,
    settings     jsonb       NOT NULL DEFAULT '{}',
    is_active    boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_users_email ON users (lower(email));
CREATE INDEX IF NOT EXISTS ix_users_created_at ON users (created_at);

CREATE TABLE IF NOT EXISTS devices (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id),
    token         text        NOT NULL,
    platform      text        NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    locale        text,
    time_zone     text,
    is_active     boolean     NOT NULL DEFAULT true,
    registered_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    UNIQUE (user_id, token)
);

CREATE TABLE IF NOT EXISTS chats (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id),
    title          text        NOT NULL,
    model          text        NOT NULL,
    settings       jsonb       NOT NULL DEFAULT '{}',
    last_seq       bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    archived       boolean     NOT NULL DEFAULT false,
    archived_at    timestamptz,
    created_at     timestamptz NOT NULL,
    last_active_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_chats_user_created ON chats (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS ix_chats_last_active_at ON chats (last_active_at);

CREATE TABLE IF NOT EXISTS sessions (
    id               uuid        PRIMARY KEY,
    user_id          uuid        NOT NULL REFERENCES users (id),
    chat_id          uuid        NOT NULL REFERENCES chats (id),
    started_at       timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL,
    ended_at         timestamptz,
    end_reason       text        NOT NULL DEFAULT '' CHECK (end_reason IN ('', 'user', 'idle_timeout')),
    message_count    bigint      NOT NULL DEFAULT 0
);
-- At most one open session per chat.
CREATE UNIQUE INDEX IF NOT EXISTS ux_sessions_open_per_chat ON sessions (chat_id) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS ix_sessions_chat_started ON sessions (chat_id, started_at DESC);
-- The idle closer scans open sessions by last activity.
CREATE INDEX IF NOT EXISTS ix_sessions_open_idle ON sessions (last_activity_at) WHERE ended_at IS NULL;

CREATE TABLE IF NOT EXISTS messages (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id),
    chat_id       uuid        NOT NULL REFERENCES chats (id),
    session_id    uuid        NOT NULL REFERENCES sessions (id),
    seq           bigint      NOT NULL CHECK (seq > 0),
    role          text        NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content       text        NOT NULL,
    metadata      jsonb       NOT NULL DEFAULT '{}',
    source        text        NOT NULL,
    client_msg_id text,
    request_id    text        NOT NULL,
    batch_id      uuid        NOT NULL,  -- the event batch that posted it (duplicate_of for inbox repeats)
    created_at    timestamptz NOT NULL,
    UNIQUE (chat_id, seq)
);
CREATE INDEX IF NOT EXISTS ix_messages_session_seq ON messages (session_id, seq DESC);
-- Inbox deduplication: one message per (user, source, client_msg_id).
CREATE UNIQUE INDEX IF NOT EXISTS ux_messages_inbox
    ON messages (user_id, source, client_msg_id) WHERE client_msg_id IS NOT NULL;
