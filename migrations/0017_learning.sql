-- Learning tracks (docs/learning.md, seed 004).
-- The decider keeps the catalog's and each user's learning entities beside the goals graph's.
ALTER TABLE goal_entities DROP CONSTRAINT IF EXISTS goal_entities_kind_check;
ALTER TABLE goal_entities ADD CONSTRAINT goal_entities_kind_check
    CHECK (kind IN ('task', 'problem', 'habit', 'calendar_event', 'notification', 'mental_state', 'summary',
                    'track', 'roadmap_item', 'chat_template', 'track_session', 'chat_thread', 'synopsis'));

-- A prompt run rendered from a chat template names it and its version.
ALTER TABLE prompt_runs ADD COLUMN IF NOT EXISTS template_id uuid;
ALTER TABLE prompt_runs ADD COLUMN IF NOT EXISTS template_version integer;

-- The `learning` read model. The catalog (tracks, roadmap items, templates) belongs to nobody;
-- sessions, threads, synopses and agent replies to their user.
CREATE TABLE IF NOT EXISTS tracks (
    track_id    uuid        PRIMARY KEY,
    slug        text        NOT NULL UNIQUE,
    title       text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    goal        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Positions are dense, 1-based, and rewritten from the order the fold decided (checked at commit).
CREATE TABLE IF NOT EXISTS track_roadmap_items (
    roadmap_item_id uuid        PRIMARY KEY,
    track_id        uuid        NOT NULL,
    position        integer     NOT NULL CHECK (position >= 1),
    title           text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT track_roadmap_items_position UNIQUE (track_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE IF NOT EXISTS chat_templates (
    template_id    uuid        PRIMARY KEY,
    name           text        NOT NULL,
    scope          text        NOT NULL CHECK (scope IN ('global', 'track', 'createTrack')),
    track_id       uuid,
    description    text        NOT NULL DEFAULT '',
    latest_version integer     NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CHECK ((scope = 'track') = (track_id IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS chat_templates_name ON chat_templates (scope, coalesce(track_id::text, ''), name);

-- Versions are immutable: a session or a prompt run names the one it used.
CREATE TABLE IF NOT EXISTS chat_template_versions (
    template_id uuid        NOT NULL,
    version     integer     NOT NULL CHECK (version >= 1),
    content     text        NOT NULL,
    variables   jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (template_id, version)
);

CREATE TABLE IF NOT EXISTS track_sessions (
    user_id          uuid        NOT NULL,
    track_session_id uuid        NOT NULL,
    "partition"      integer     NOT NULL,
    track_id         uuid        NOT NULL,
    active_tab       text        NOT NULL CHECK (active_tab IN ('chat', 'practice', 'simulation')),
    sidebar_visible  boolean     NOT NULL,
    live_synopsis_id uuid        NOT NULL,
    templates        jsonb       NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (user_id, track_session_id)
);
CREATE INDEX IF NOT EXISTS track_sessions_by_created ON track_sessions (user_id, created_at, track_session_id);

-- A thread is the chat with the same id (the conversation model keeps its messages).
CREATE TABLE IF NOT EXISTS chat_threads (
    user_id          uuid        NOT NULL,
    thread_id        uuid        NOT NULL,
    track_session_id uuid        NOT NULL,
    tab              text        NOT NULL CHECK (tab IN ('chat', 'practice', 'simulation')),
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (user_id, thread_id),
    UNIQUE (user_id, track_session_id, tab)
);

CREATE TABLE IF NOT EXISTS synopses (
    user_id            uuid        NOT NULL,
    synopsis_id        uuid        NOT NULL,
    track_session_id   uuid        NOT NULL,
    origin             text        NOT NULL CHECK (origin IN ('live', 'snapshot', 'imported')),
    title              text,
    items              jsonb       NOT NULL,
    revision           integer     NOT NULL,
    copied_synopsis_id uuid,
    copied_revision    integer,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, synopsis_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS synopses_one_live ON synopses (user_id, track_session_id) WHERE origin = 'live';
CREATE INDEX IF NOT EXISTS synopses_by_session ON synopses (user_id, track_session_id, created_at);

CREATE TABLE IF NOT EXISTS agent_replies (
    user_id            uuid        NOT NULL,
    agent_reply_id     uuid        NOT NULL,
    agent_id           text        NOT NULL,
    agent_version      text        NOT NULL,
    action             text        NOT NULL,
    tab                text        NOT NULL,
    track_session_id   uuid,
    thread_id          uuid,
    template_id        uuid,
    template_version   integer,
    input              text,
    reply              text,
    apply_side_effects boolean     NOT NULL,
    message_id         uuid,
    skipped_reason     text,
    provider           text        NOT NULL,
    model              text        NOT NULL,
    created_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, agent_reply_id)
);
