-- The schedule read model (projection `schedule`, built from facts): calendar events as the API
-- shows them. Occurrences are expanded at query time from `timing`, the decider's own result.
CREATE TABLE IF NOT EXISTS schedule_users (
    user_id   uuid PRIMARY KEY,
    time_zone text NOT NULL  -- floating events follow it
);

CREATE TABLE IF NOT EXISTS calendar_events (
    user_id            uuid        NOT NULL,
    calendar_event_id  uuid        NOT NULL,
    type               text        NOT NULL,
    title              text        NOT NULL,
    description        text,
    location           text,
    priority           smallint    NOT NULL,
    goal_id            uuid,
    source             text        NOT NULL,
    status             text        NOT NULL,
    timing             jsonb       NOT NULL,             -- domain/schedule/timing.hpp, as decided
    occurrence_details jsonb       NOT NULL DEFAULT '{}', -- title/description/location of one occurrence
    split_from         uuid,                              -- the series a "this and following" change ended
    -- Brackets every occurrence on the time line whatever the zone (wall clock -12h/+14h):
    -- window queries need no zone to pick candidates. range_end null: the series never ends.
    range_start        timestamptz NOT NULL,
    range_end          timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (user_id, calendar_event_id)
);
CREATE INDEX IF NOT EXISTS calendar_events_by_range ON calendar_events (user_id, range_start);
