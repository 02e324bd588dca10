-- message_search: full-text search over each user's messages, a read model built from facts
-- (projections/message_search). Rebuildable on its own into any schema.

-- The text search configuration of each user's current locale, as the facts told it.
CREATE TABLE IF NOT EXISTS search_users (
    user_id     uuid      PRIMARY KEY,
    text_config regconfig NOT NULL
);

-- One row per applied message. text_config is the user's configuration when the message was
-- posted; document is the content's lexemes under it.
CREATE TABLE IF NOT EXISTS search_messages (
    message_id  uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL,
    chat_id     uuid        NOT NULL,
    seq         bigint      NOT NULL,
    role        text        NOT NULL,
    created_at  timestamptz NOT NULL,
    content     text        NOT NULL,
    text_config regconfig   NOT NULL,
    document    tsvector    NOT NULL
);
CREATE INDEX IF NOT EXISTS search_messages_document ON search_messages USING gin (document);
CREATE INDEX IF NOT EXISTS search_messages_user_time ON search_messages (user_id, created_at DESC, message_id DESC);
