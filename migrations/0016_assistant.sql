-- The assistant (docs/assistant.md): a prompt run of a turn names its prompt version and what the
-- model was given (hash and sizes of the context, never its text).
ALTER TABLE prompt_runs ADD COLUMN IF NOT EXISTS prompt_version text;
ALTER TABLE prompt_runs ADD COLUMN IF NOT EXISTS context jsonb;
