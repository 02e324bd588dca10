-- Every outcome by (user, idempotency key), duplicates and conflicts included: the assistant waits for
-- its record's outcome, whatever it is, by this pair. The partial unique index holds only applied and
-- rejected rows, so without this one each look-up read all of the user's outcomes (~4-8 ms at 4 000).
CREATE INDEX IF NOT EXISTS ix_batch_outcomes_user_key ON batch_outcomes (user_id, idempotency_key);
