-- The reminder queue (projection `reminder_queue`, built from facts; docs/schedule.md): the
-- reminders planned for each calendar event's next occurrence, from the user's settings, zone and
-- quiet hours, and the logs of their delivery. Its own copy of what planning reads, so it rebuilds and scales on its own.
CREATE TABLE IF NOT EXISTS reminder_users (
    user_id   uuid PRIMARY KEY,
    time_zone text  NOT NULL,
    settings  jsonb NOT NULL DEFAULT '{}'  -- the profile's settings; planning reads settings.reminders
);

CREATE TABLE IF NOT EXISTS reminder_events (
    user_id           uuid  NOT NULL,
    calendar_event_id uuid  NOT NULL,
    title             text  NOT NULL,
    timing            jsonb NOT NULL,  -- as decided (domain/schedule/timing.hpp)
    -- Occurrences up to here are done (their last reminder was delivered or skipped): planning
    -- looks after it, which rolls a series forward.
    done_until        timestamptz,
    PRIMARY KEY (user_id, calendar_event_id)
);

CREATE TABLE IF NOT EXISTS reminder_queue (
    user_id           uuid        NOT NULL,
    reminder_id       text        NOT NULL,  -- <calendar event>/<occurrence>/<offset minutes>
    calendar_event_id uuid        NOT NULL,
    occurrence        text        NOT NULL,  -- the occurrence's original start, wall clock
    offset_minutes    integer     NOT NULL,
    occurrence_at     timestamptz NOT NULL,
    trigger_at        timestamptz NOT NULL,
    status            text        NOT NULL CHECK (status IN ('scheduled', 'sent', 'skipped', 'failed')),
    skip_reason       text,
    title             text        NOT NULL,
    planned_at        timestamptz NOT NULL,  -- the time of the fact that planned it
    "partition"       integer     NOT NULL,  -- the user's partition: the dispatcher owning it delivers
    PRIMARY KEY (user_id, reminder_id)
);
CREATE INDEX IF NOT EXISTS reminder_queue_due ON reminder_queue (trigger_at) WHERE status = 'scheduled';
CREATE INDEX IF NOT EXISTS reminder_queue_by_event ON reminder_queue (user_id, calendar_event_id);

-- Reminder logs (seed 000): what the dispatcher did, per reminder and channel, from its
-- reminder.delivered facts.
CREATE TABLE IF NOT EXISTS reminder_logs (
    user_id     uuid        NOT NULL,
    reminder_id text        NOT NULL,
    channel     text        NOT NULL CHECK (channel IN ('chat', 'webhook', 'push')),
    status      text        NOT NULL CHECK (status IN ('sent', 'skipped', 'failed')),
    reason      text,
    attempts    integer     NOT NULL,
    message_id  uuid,
    at          timestamptz NOT NULL,
    PRIMARY KEY (user_id, reminder_id, channel)
);
