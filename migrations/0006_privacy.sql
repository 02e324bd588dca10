-- Crypto-shredding. The data keys live in their own schema, shared by every read-model schema of
-- the database (a rebuild must find the same keys, and destroyed ones must stay destroyed), and
-- never in Kafka. Each key is wrapped with the master key (AIMI_MASTER_KEY); erasing a user sets
-- wrapped_key to NULL, after which nothing can open that user's sealed fields in any topic.
CREATE SCHEMA IF NOT EXISTS aimi_keys;
CREATE TABLE IF NOT EXISTS aimi_keys.user_keys (
    user_id      uuid        PRIMARY KEY,
    wrapped_key  bytea,                       -- NULL once destroyed
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);

-- An erased user keeps a tombstone row (no personal value) so that the id stays taken.
ALTER TABLE users ADD COLUMN IF NOT EXISTS erased_at timestamptz;
