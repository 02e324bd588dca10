-- Smart notifications (docs/schedule.md, "Notifications"). The goals fold decides them as
-- entities of kind 'notification' (pending | sent | dismissed); the `notifications` projection
-- (built from facts) keeps the read model and the triggers the dispatcher fires.
ALTER TABLE goal_entities DROP CONSTRAINT IF EXISTS goal_entities_kind_check;
ALTER TABLE goal_entities ADD CONSTRAINT goal_entities_kind_check
    CHECK (kind IN ('task', 'problem', 'habit', 'calendar_event', 'notification'));

CREATE TABLE IF NOT EXISTS notifications (
    user_id         uuid NOT NULL,
    notification_id uuid NOT NULL,
    "partition"     integer NOT NULL,  -- the user's partition: the dispatcher that owns it sends
    type            text NOT NULL CHECK (type IN ('motivation', 'rest_suggestion', 'progress_check',
                                                  'goal_reminder', 'celebration', 'planning')),
    message         text NOT NULL,
    goal_id         uuid,
    context         jsonb NOT NULL DEFAULT '{}',
    source          text NOT NULL,
    trigger_id      text,
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'dismissed')),
    scheduled_for   timestamptz NOT NULL,
    sent_at         timestamptz,
    message_id      uuid,
    dismissed_at    timestamptz,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, notification_id)
);
CREATE INDEX IF NOT EXISTS notifications_by_user ON notifications (user_id, created_at DESC, notification_id);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications (scheduled_for) WHERE status = 'pending';

-- What the triggers need to know: the users' zones and their goals' titles, deadlines, statuses.
CREATE TABLE IF NOT EXISTS notification_users (
    user_id   uuid PRIMARY KEY,
    time_zone text NOT NULL
);
CREATE TABLE IF NOT EXISTS notification_goals (
    user_id  uuid NOT NULL,
    goal_id  uuid NOT NULL,
    title    text NOT NULL,
    deadline date,
    status   text NOT NULL,
    PRIMARY KEY (user_id, goal_id)
);

-- Planned at fact time (so a rebuild plans the same); fired once the dispatcher's
-- notification.created with this trigger_id is a fact.
CREATE TABLE IF NOT EXISTS notification_triggers (
    user_id         uuid NOT NULL,
    trigger_id      text NOT NULL,
    "partition"     integer NOT NULL,
    type            text NOT NULL,
    goal_id         uuid NOT NULL,
    notification_id uuid NOT NULL,
    message         text NOT NULL,
    due_at          timestamptz NOT NULL,
    fired           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, trigger_id)
);
CREATE INDEX IF NOT EXISTS notification_triggers_due ON notification_triggers (due_at) WHERE NOT fired;
