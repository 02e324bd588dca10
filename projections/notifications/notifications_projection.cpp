#include "projections/notifications/notifications_projection.hpp"

#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/time.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::notifications {

namespace {

namespace bj = boost::json;
using json::optional_text_of;
using json::text_of;

const pg::Statement kUpsertUser{"notifications.upsert_user", R"sql(
INSERT INTO notification_users (user_id, time_zone) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone)sql"};

const pg::Statement kCreateGoal{"notifications.create_goal", R"sql(
INSERT INTO notification_goals (user_id, goal_id, title, deadline, status) VALUES ($1, $2, $3, $4::date, 'active')
ON CONFLICT (user_id, goal_id) DO NOTHING)sql"};

// $4: whether the event sets the deadline ($5, null clears it).
const pg::Statement kUpdateGoal{"notifications.update_goal", R"sql(
UPDATE notification_goals SET title = coalesce($3, title),
                              deadline = CASE WHEN $4 THEN $5::date ELSE deadline END
WHERE user_id = $1 AND goal_id = $2)sql"};

const pg::Statement kGoalStatus{"notifications.goal_status", R"sql(
UPDATE notification_goals SET status = $3 WHERE user_id = $1 AND goal_id = $2)sql"};

const pg::Statement kDropGoalReminders{"notifications.drop_goal_reminders", R"sql(
DELETE FROM notification_triggers
WHERE user_id = $1 AND goal_id = $2 AND type = 'goal_reminder' AND NOT fired)sql"};

// 09:00 local the day before the deadline; at once when that has passed and the deadline day has
// not. The notification's id follows from the trigger's, so every rebuild names it the same.
const pg::Statement kPlanGoalReminder{"notifications.plan_goal_reminder", R"sql(
INSERT INTO notification_triggers (user_id, trigger_id, "partition", type, goal_id, notification_id, message, due_at)
SELECT g.user_id, t.id, $3, 'goal_reminder', g.goal_id, md5('aimi.notification:' || t.id)::uuid,
       'Your goal “' || g.title || '” is due ' || to_char(g.deadline, 'YYYY-MM-DD') || '.',
       greatest(((g.deadline - 1) + time '09:00') AT TIME ZONE z.tz, $4::timestamptz)
FROM notification_goals g
CROSS JOIN LATERAL (SELECT coalesce((SELECT time_zone FROM notification_users u WHERE u.user_id = g.user_id),
                                    'UTC') AS tz) z
CROSS JOIN LATERAL (SELECT 'goal_reminder:' || g.goal_id || ':' || to_char(g.deadline, 'YYYY-MM-DD') AS id) t
WHERE g.user_id = $1 AND g.goal_id = $2 AND g.status = 'active' AND g.deadline IS NOT NULL
  AND ((g.deadline + 1) + time '00:00') AT TIME ZONE z.tz > $4::timestamptz
ON CONFLICT (user_id, trigger_id) DO NOTHING)sql"};

const pg::Statement kCelebrate{"notifications.celebrate", R"sql(
INSERT INTO notification_triggers (user_id, trigger_id, "partition", type, goal_id, notification_id, message, due_at)
SELECT g.user_id, $4, $3, 'celebration', g.goal_id, md5('aimi.notification:' || $4)::uuid,
       'You completed “' || g.title || '” — well done!', $5::timestamptz
FROM notification_goals g WHERE g.user_id = $1 AND g.goal_id = $2
ON CONFLICT (user_id, trigger_id) DO NOTHING)sql"};

const pg::Statement kPendingGoalReminders{"notifications.pending_goal_reminders", R"sql(
SELECT DISTINCT goal_id::text FROM notification_triggers
WHERE user_id = $1 AND type = 'goal_reminder' AND NOT fired)sql"};

const pg::Statement kCreate{"notifications.create", R"sql(
INSERT INTO notifications (user_id, notification_id, "partition", type, message, goal_id, context, source, trigger_id,
                           status, scheduled_for, created_at)
VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '{}'), $8, $9, 'pending', coalesce($10::timestamptz, $11), $11)
ON CONFLICT (user_id, notification_id) DO NOTHING)sql"};

const pg::Statement kFired{"notifications.fired", R"sql(
UPDATE notification_triggers SET fired = true WHERE user_id = $1 AND trigger_id = $2)sql"};

const pg::Statement kSent{"notifications.sent", R"sql(
UPDATE notifications SET status = 'sent', sent_at = $3, message_id = $4
WHERE user_id = $1 AND notification_id = $2)sql"};

const pg::Statement kDismissed{"notifications.dismissed", R"sql(
UPDATE notifications SET status = 'dismissed', dismissed_at = $3 WHERE user_id = $1 AND notification_id = $2)sql"};

const pg::Statement kErase{"notifications.erase", R"sql(
WITH n AS (DELETE FROM notifications WHERE user_id = $1),
     g AS (DELETE FROM notification_goals WHERE user_id = $1),
     t AS (DELETE FROM notification_triggers WHERE user_id = $1)
DELETE FROM notification_users WHERE user_id = $1)sql"};

class Applier {
  public:
    Applier(pqxx::dbtransaction& tx, const facts::Fact& fact)
        : tx_(tx), fact_(fact), user_(fact.user_id), at_(format_timestamp(*fact.occurred_at)) {}

    void apply(const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto& type = event.type;
        if (type == "user.registered" || (type == "user.profile_updated" && d.contains("time_zone"))) {
            pg::exec(tx_, kUpsertUser, user_, text_of(d, "time_zone"));
            // The zone moves the goal reminders still to come.
            for (const auto& row : pg::exec(tx_, kPendingGoalReminders, user_)) replan(row[0].as<std::string>());
        } else if (type == "user.erased") {
            pg::exec(tx_, kErase, user_);
        } else if (type == "goal.created") {
            const auto goal = text_of(d, "goal_id");
            pg::exec(tx_, kCreateGoal, user_, goal, optional_text_of(d, "title").value_or(""),
                     optional_text_of(d, "deadline"));
            replan(goal);
        } else if (type == "goal.updated") {
            const auto goal = text_of(d, "goal_id");
            pg::exec(tx_, kUpdateGoal, user_, goal, optional_text_of(d, "title"), d.contains("deadline"),
                     optional_text_of(d, "deadline"));
            replan(goal);
        } else if (type == "goal.completed") {
            const auto goal = text_of(d, "goal_id");
            set_status(goal, "done");
            pg::exec(tx_, kCelebrate, user_, goal, fact_.origin.partition,
                     "celebration:" + goal + ":" + std::to_string(fact_.stream_version), at_);
        } else if (type == "goal.cancelled" || type == "goal.archived") {
            set_status(text_of(d, "goal_id"), type == "goal.cancelled" ? "cancelled" : "archived");
        } else if (type == "goal.reopened") {
            const auto goal = text_of(d, "goal_id");
            pg::exec(tx_, kGoalStatus, user_, goal, "active");
            replan(goal);
        } else if (type == "notification.created") {
            const auto trigger = optional_text_of(d, "trigger_id");
            const auto* context = d.if_contains("context");
            pg::exec(tx_, kCreate, user_, text_of(d, "notification_id"), fact_.origin.partition, text_of(d, "type"),
                     text_of(d, "message"), optional_text_of(d, "goal_id"),
                     context ? std::optional(json::serialize(*context)) : std::nullopt, text_of(d, "source"), trigger,
                     optional_text_of(d, "scheduled_for"), at_);
            if (trigger) pg::exec(tx_, kFired, user_, *trigger);
        } else if (type == "notification.sent") {
            pg::exec(tx_, kSent, user_, text_of(d, "notification_id"), at_, optional_text_of(d, "message_id"));
        } else if (type == "notification.dismissed") {
            pg::exec(tx_, kDismissed, user_, text_of(d, "notification_id"), at_);
        }
    }

  private:
    void replan(const std::string& goal) {
        pg::exec(tx_, kDropGoalReminders, user_, goal);
        pg::exec(tx_, kPlanGoalReminder, user_, goal, fact_.origin.partition, at_);
    }
    void set_status(const std::string& goal, const char* status) {
        pg::exec(tx_, kGoalStatus, user_, goal, status);
        pg::exec(tx_, kDropGoalReminders, user_, goal);
    }

    pqxx::dbtransaction& tx_;
    const facts::Fact& fact_;
    const std::string& user_;
    const std::string at_;
};

}  // namespace

void NotificationsProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    for (const auto& fact : facts) {
        if (!fact.applied() || !fact.occurred_at) continue;
        Applier applier(tx, fact);
        for (const auto& event : fact.events) applier.apply(event);
    }
}

}  // namespace aimi::notifications
