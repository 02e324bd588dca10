-- The dispatcher pages through due reminders in (trigger_at, user_id, reminder_id) order past
-- those it has in flight (workers/reminder_dispatcher/reminder_dispatcher.cpp): one index walks it.
CREATE INDEX IF NOT EXISTS reminder_queue_due_order ON reminder_queue (trigger_at, user_id, reminder_id)
    WHERE status = 'scheduled';
DROP INDEX IF EXISTS reminder_queue_due;
CREATE INDEX IF NOT EXISTS reminder_queue_skipped ON reminder_queue (trigger_at) WHERE status = 'skipped';
