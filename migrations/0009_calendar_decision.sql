-- Calendar events are decided beside tasks, problems and habits: the decider keeps each one's
-- timing (start/end/due, all-day, zone, RRULE, EXDATEs, per-occurrence changes; never the
-- personal fields) in `details`, to decide later changes of the series or of one occurrence.
ALTER TABLE goal_entities ADD COLUMN IF NOT EXISTS details jsonb NOT NULL DEFAULT '{}';
ALTER TABLE goal_entities DROP CONSTRAINT IF EXISTS goal_entities_kind_check;
ALTER TABLE goal_entities ADD CONSTRAINT goal_entities_kind_check
    CHECK (kind IN ('task', 'problem', 'habit', 'calendar_event'));
