-- Full-text matches of one user's messages, without visiting other users' rows: a GIN index over
-- (user_id, document) answers `user_id = $1 AND document @@ q` inside the index (btree_gin gives
-- GIN the uuid equality). The index on document alone found every user's matches and filtered
-- them in the heap, so a search grew with all users' messages that hold the words (docs/memory.md).
-- btree_gin is a trusted extension (no superuser needed) and lives in public, so every schema's
-- copy of this read model finds its operator class.
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;
CREATE INDEX IF NOT EXISTS search_messages_user_document ON search_messages USING gin (user_id, document);
DROP INDEX IF EXISTS search_messages_document;
