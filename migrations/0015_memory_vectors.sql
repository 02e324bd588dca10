-- Memory vectors (docs/memory.md, "Vectors and recall"): the `memory_vectors` projection keeps
-- what can be embedded (memory_sources: messages, summaries and the facts they extracted, goals,
-- calendar events, mental-state notes, with their text) and the vectors the embedder worker made of them, per model. A source
-- without a vector of the worker's model is its work; changing the model re-embeds every source
-- while recall keeps using the vectors it has.
CREATE TABLE IF NOT EXISTS memory_sources (
    user_id     uuid NOT NULL,
    source_kind text NOT NULL CHECK (source_kind IN ('message', 'summary', 'fact', 'goal', 'calendar_event',
                                                    'mental_state')),
    source_id   text NOT NULL,
    "partition" integer NOT NULL,
    chat_id     uuid,
    text        text NOT NULL,
    title       text,  -- goals and calendar events: the parts the text is made of, so an update
    description text,  -- that names one of them keeps the other
    scope       text,  -- summaries and their facts: a later summary of the scope replaces them
    occurred_at timestamptz NOT NULL,
    revision    integer NOT NULL DEFAULT 1,  -- raised when the text changes (a goal renamed)
    PRIMARY KEY (user_id, source_kind, source_id)
);
CREATE INDEX IF NOT EXISTS memory_sources_by_scope ON memory_sources (user_id, scope) WHERE scope IS NOT NULL;
CREATE INDEX IF NOT EXISTS memory_sources_by_partition ON memory_sources ("partition", occurred_at);
-- Recall's full text over what is not a message (messages have message_search).
CREATE INDEX IF NOT EXISTS memory_sources_other_text ON memory_sources
    USING gin (to_tsvector('simple', text)) WHERE source_kind <> 'message';

CREATE TABLE IF NOT EXISTS memory_vectors (
    user_id     uuid NOT NULL,
    item_id     uuid NOT NULL,
    source_kind text NOT NULL,
    source_id   text NOT NULL,
    model       text NOT NULL,  -- provider/name/version
    revision    integer NOT NULL,
    dimensions  integer NOT NULL,
    vector      bytea NOT NULL,  -- little-endian float32, L2-normalized
    chat_id     uuid,
    occurred_at timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    change_seq  bigint NOT NULL,  -- the user's memory_vector_users.version this write made
    PRIMARY KEY (user_id, item_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS memory_vectors_by_source ON memory_vectors (user_id, source_kind, source_id, model);
CREATE INDEX IF NOT EXISTS memory_vectors_by_change ON memory_vectors (user_id, model, change_seq);

-- Per user: how many vector changes were applied. Recall caches a user's vectors per version and
-- reads only the rows whose change_seq is past the version it holds.
CREATE TABLE IF NOT EXISTS memory_vector_users (
    user_id uuid PRIMARY KEY,
    version bigint NOT NULL
);

-- Per user and model: how many vectors (recall picks the model and detects deletions from it
-- without counting the vectors on every query).
CREATE TABLE IF NOT EXISTS memory_vector_models (
    user_id    uuid NOT NULL,
    model      text NOT NULL,
    dimensions integer NOT NULL,
    vectors    bigint NOT NULL,
    PRIMARY KEY (user_id, model)
);
