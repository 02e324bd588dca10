-- Memory (docs/memory.md). The goals fold decides summaries and mental states as entities of the
-- user (so a memory item can be forgotten); the `memory` projection (built from facts) keeps the
-- summaries with their history, mental states, prompt runs, recent context items, and what the
-- summarizer works from: a copy of the messages and the jobs it has to do.
ALTER TABLE goal_entities DROP CONSTRAINT IF EXISTS goal_entities_kind_check;
ALTER TABLE goal_entities ADD CONSTRAINT goal_entities_kind_check
    CHECK (kind IN ('task', 'problem', 'habit', 'calendar_event', 'notification', 'mental_state', 'summary'));

CREATE TABLE IF NOT EXISTS memory_users (
    user_id   uuid PRIMARY KEY,
    time_zone text NOT NULL,
    locale    text NOT NULL
);

-- The messages a summary is made from (applied message.posted facts).
CREATE TABLE IF NOT EXISTS memory_messages (
    user_id    uuid NOT NULL,
    chat_id    uuid NOT NULL,
    seq        bigint NOT NULL,
    session_id uuid NOT NULL,
    role       text NOT NULL,
    content    text NOT NULL,
    posted_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, chat_id, seq)
);
CREATE INDEX IF NOT EXISTS memory_messages_by_session ON memory_messages (user_id, session_id, seq);
CREATE INDEX IF NOT EXISTS memory_messages_by_time ON memory_messages (user_id, posted_at);

-- What the summarizer has to do: a scope ('session:<id>', 'daily:<date>', 'weekly:<monday>') is due
-- from due_at; each new input raises `generation`, each summary made records the generation it saw.
CREATE TABLE IF NOT EXISTS summary_jobs (
    user_id         uuid NOT NULL,
    scope           text NOT NULL,
    "partition"     integer NOT NULL,  -- the user's partition: the summarizer that owns it works
    kind            text NOT NULL CHECK (kind IN ('session', 'daily', 'weekly')),
    chat_id         uuid,
    session_id      uuid,
    local_date      date,
    period_start    timestamptz NOT NULL,
    period_end      timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    generation      integer NOT NULL DEFAULT 1,
    done_generation integer NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, scope)
);
CREATE INDEX IF NOT EXISTS summary_jobs_due ON summary_jobs ("partition", due_at) WHERE generation > done_generation;

CREATE TABLE IF NOT EXISTS summaries (
    user_id       uuid NOT NULL,
    summary_id    uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('session', 'daily', 'weekly')),
    scope         text NOT NULL,
    generation    integer NOT NULL,
    chat_id       uuid,
    session_id    uuid,
    local_date    date,
    time_zone     text,
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,
    text          text NOT NULL,
    key_points    jsonb NOT NULL,
    facts         jsonb NOT NULL,
    model         jsonb NOT NULL,
    source_count  integer NOT NULL,
    replaced_by   uuid,  -- a later summary of the same scope; NULL = current
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, summary_id)
);
CREATE INDEX IF NOT EXISTS summaries_by_user ON summaries (user_id, created_at DESC, summary_id);
CREATE INDEX IF NOT EXISTS summaries_by_scope ON summaries (user_id, scope, generation);

CREATE TABLE IF NOT EXISTS mental_states (
    user_id         uuid NOT NULL,
    mental_state_id uuid NOT NULL,
    source          text NOT NULL CHECK (source IN ('check_in', 'extracted')),
    mood            smallint NOT NULL CHECK (mood BETWEEN 1 AND 10),
    energy          smallint CHECK (energy BETWEEN 1 AND 10),
    confidence      smallint CHECK (confidence BETWEEN 1 AND 10),
    emotions        jsonb NOT NULL,
    note            text,
    chat_id         uuid,
    message_seq     bigint,
    recorded_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, mental_state_id)
);
CREATE INDEX IF NOT EXISTS mental_states_by_time ON mental_states (user_id, recorded_at DESC, mental_state_id);

-- Every provider call made for a user (seed 002 prompt_runs), failed ones included.
CREATE TABLE IF NOT EXISTS prompt_runs (
    user_id       uuid NOT NULL,
    prompt_run_id uuid NOT NULL,
    provider      text NOT NULL,
    model         text NOT NULL,
    model_version text NOT NULL,
    purpose       text NOT NULL,
    scope         text,
    items         integer NOT NULL,
    tokens_in     bigint NOT NULL,
    tokens_out    bigint NOT NULL,
    latency_ms    bigint NOT NULL,
    status        text NOT NULL CHECK (status IN ('ok', 'error')),
    error         text,
    request_id    text,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, prompt_run_id)
);
CREATE INDEX IF NOT EXISTS prompt_runs_by_time ON prompt_runs (created_at DESC, prompt_run_id);
CREATE INDEX IF NOT EXISTS prompt_runs_by_user ON prompt_runs (user_id, purpose, created_at DESC);

-- What was recently on the person's mind (seed 002 recent_context_items): goals, tasks and events
-- created or changed, plans and dates a summary extracted; each until expires_at.
CREATE TABLE IF NOT EXISTS context_items (
    user_id     uuid NOT NULL,
    item_id     text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    chat_id     uuid,
    reason      text NOT NULL,
    text        text,
    surfaced_at timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS context_items_by_user ON context_items (user_id, surfaced_at DESC);

-- The goals the user state names as focus (active, by priority and deadline).
CREATE TABLE IF NOT EXISTS memory_goals (
    user_id  uuid NOT NULL,
    goal_id  uuid NOT NULL,
    title    text NOT NULL,
    priority smallint NOT NULL,
    deadline date,
    status   text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, goal_id)
);
