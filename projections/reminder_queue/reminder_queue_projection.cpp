#include "projections/reminder_queue/reminder_queue_projection.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/conversation/model.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/schedule/reminders.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::schedule {

namespace {

namespace bj = boost::json;
using json::text_of;
using Key = std::pair<std::string, std::string>;  // user, calendar event

const pg::Statement kLoadUsers{"reminder_queue.load_users", R"sql(
SELECT user_id::text, time_zone, settings::text FROM reminder_users
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

// Every event of the users whose zone or reminder settings changed: all their plans are redone.
const pg::Statement kLoadEvents{"reminder_queue.load_events", R"sql(
SELECT user_id::text, calendar_event_id::text, title, timing::text,
       (extract(epoch FROM done_until) * 1000000)::bigint FROM reminder_events
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

// The events the facts name (index probes: LATERAL keeps the planner from scanning the table).
const pg::Statement kLoadEventsByKey{"reminder_queue.load_events_by_key", R"sql(
SELECT e.user_id::text, e.calendar_event_id::text, e.title, e.timing::text,
       (extract(epoch FROM e.done_until) * 1000000)::bigint
FROM jsonb_to_recordset($1::jsonb) AS k(u uuid, e uuid)
CROSS JOIN LATERAL (
    SELECT * FROM reminder_events r WHERE r.user_id = k.u AND r.calendar_event_id = k.e LIMIT 1) e)sql"};

const pg::Statement kUpsertUsers{"reminder_queue.upsert_users", R"sql(
INSERT INTO reminder_users (user_id, time_zone, settings)
SELECT user_id, time_zone, settings FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, time_zone text, settings jsonb)
ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, settings = excluded.settings)sql"};

const pg::Statement kUpsertEvents{"reminder_queue.upsert_events", R"sql(
INSERT INTO reminder_events (user_id, calendar_event_id, title, timing, done_until)
SELECT user_id, calendar_event_id, title, timing, done_until
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, calendar_event_id uuid, title text, timing jsonb,
                                        done_until timestamptz)
ON CONFLICT (user_id, calendar_event_id) DO UPDATE SET title = excluded.title, timing = excluded.timing,
    done_until = excluded.done_until)sql"};

const pg::Statement kInsertLogs{"reminder_queue.insert_logs", R"sql(
INSERT INTO reminder_logs SELECT * FROM jsonb_populate_recordset(NULL::reminder_logs, $1::jsonb)
ON CONFLICT (user_id, reminder_id, channel) DO NOTHING)sql"};

// The chat record is the reminder's primary one: its status is the queue row's.
const pg::Statement kMarkDelivered{"reminder_queue.mark_delivered", R"sql(
UPDATE reminder_queue q SET status = r.status
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, reminder_id text, status text)
WHERE q.user_id = r.user_id AND q.reminder_id = r.reminder_id)sql"};

// Re-planned events lose their scheduled and skipped reminders; sent and failed ones stay.
const pg::Statement kDropPlans{"reminder_queue.drop_plans", R"sql(
DELETE FROM reminder_queue WHERE status IN ('scheduled', 'skipped') AND (user_id, calendar_event_id) IN
    (SELECT u, e FROM jsonb_to_recordset($1::jsonb) AS r(u uuid, e uuid)))sql"};

const pg::Statement kInsertPlans{"reminder_queue.insert_plans", R"sql(
INSERT INTO reminder_queue SELECT * FROM jsonb_populate_recordset(NULL::reminder_queue, $1::jsonb)
ON CONFLICT (user_id, reminder_id) DO NOTHING)sql"};

const pg::Statement kEraseUsers{"reminder_queue.erase_users", R"sql(
WITH erased AS (SELECT value::uuid AS id FROM jsonb_array_elements_text($1::jsonb)),
     q AS (DELETE FROM reminder_queue WHERE user_id IN (SELECT id FROM erased)),
     l AS (DELETE FROM reminder_logs WHERE user_id IN (SELECT id FROM erased)),
     e AS (DELETE FROM reminder_events WHERE user_id IN (SELECT id FROM erased))
DELETE FROM reminder_users WHERE user_id IN (SELECT id FROM erased))sql"};

struct User {
    std::string time_zone = "UTC";
    bj::object settings;
};
struct Event {
    std::string title;
    bj::object timing;
    std::optional<Timestamp> done_until;
};

//! The user's reminder settings, with the event's own offsets when it has them.
ReminderSettings settings_for(const User& user, const Timing& timing) {
    auto settings = reminder_settings(user.settings);
    if (timing.reminder_offsets) settings.offsets_minutes = *timing.reminder_offsets;
    return settings;
}

class Planner {
  public:
    std::map<std::string, User> users;
    std::map<Key, Event> events;
    std::set<std::string> dirty_users, erased;
    std::set<Key> dirty_events;
    std::map<Key, Timestamp> replan_at;     //!< the time of the last fact each plan depends on
    std::map<std::string, int> partitions;  //!< each user's partition (of the facts that name them)
    bj::array logs, delivered;

    void apply(const facts::Fact& fact, const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto& user_id = fact.user_id;
        const auto at = *fact.occurred_at;
        partitions[user_id] = fact.origin.partition;
        if (event.type == "user.registered") {
            users[user_id] =
                User{text_of(d, "time_zone"), d.contains("settings") ? d.at("settings").as_object() : bj::object{}};
            dirty_users.insert(user_id);
        } else if (event.type == "user.profile_updated") {
            auto& user = users[user_id];
            if (d.contains("time_zone")) user.time_zone = text_of(d, "time_zone");
            if (const auto* patch = d.if_contains("settings_patch"); patch && patch->is_object())
                conversation::merge_patch(user.settings, patch->get_object());
            dirty_users.insert(user_id);
            if (d.contains("time_zone") || d.contains("settings_patch"))
                for (const auto& [key, e] : events)
                    if (key.first == user_id) replan_at[key] = at;
        } else if (event.type == "user.erased") {
            erased.insert(user_id);
            users.erase(user_id);
            dirty_users.erase(user_id);
            std::erase_if(events, [&](const auto& e) { return e.first.first == user_id; });
            std::erase_if(dirty_events, [&](const Key& k) { return k.first == user_id; });
            std::erase_if(replan_at, [&](const auto& e) { return e.first.first == user_id; });
        } else if (event.type == "reminder.delivered") {
            deliver(fact, d);
        } else if (event.type == "calendar_event.created" || event.type == "calendar_event.updated") {
            const Key key{user_id, text_of(d, "calendar_event_id")};
            auto& e = events[key];
            if (event.type == "calendar_event.created" || (d.contains("title") && text_of(d, "scope") != "occurrence"))
                e.title = text_of(d, "title");
            e.timing = event.applied.at("timing").as_object();
            dirty_events.insert(key);
            replan_at[key] = at;
            if (const auto* following = event.applied.if_contains("following")) {
                const Key next{user_id, text_of(following->as_object(), "calendar_event_id")};
                events[next] =
                    Event{d.contains("title") ? text_of(d, "title") : e.title, following->at("timing").as_object()};
                dirty_events.insert(next);
                replan_at[next] = at;
            }
        }
    }

    //! Logs the delivery; the chat record sets the queue row's status, and once the occurrence's
    //! last reminder (the smallest offset) is done, the series moves on to its next occurrence.
    void deliver(const facts::Fact& fact, const bj::object& d) {
        const auto at = *fact.occurred_at;
        logs.push_back(bj::object{{"user_id", fact.user_id},
                                  {"reminder_id", d.at("reminder_id")},
                                  {"channel", d.at("channel")},
                                  {"status", d.at("status")},
                                  {"reason", d.contains("reason") ? d.at("reason") : bj::value(nullptr)},
                                  {"attempts", d.at("attempts")},
                                  {"message_id", d.contains("message_id") ? d.at("message_id") : bj::value(nullptr)},
                                  {"at", format_timestamp(at)}});
        if (text_of(d, "channel") != "chat") return;
        delivered.push_back(
            bj::object{{"user_id", fact.user_id}, {"reminder_id", d.at("reminder_id")}, {"status", d.at("status")}});
        const Key key{fact.user_id, text_of(d, "calendar_event_id")};
        const auto it = events.find(key);
        if (it == events.end()) return;
        const auto user = users.contains(key.first) ? users.at(key.first) : User{};
        const auto timing = timing_from_json(it->second.timing);
        const auto offsets = settings_for(user, timing).offsets_minutes;
        if (offsets.empty() ||
            d.at("offset_minutes").to_number<int>() != *std::min_element(offsets.begin(), offsets.end()))
            return;
        const auto* zone = find_zone(timing.time_zone.value_or(user.time_zone));
        const auto occurrence = parse_calendar_time(text_of(d, "occurrence"));
        if (!zone || !occurrence) return;
        const Timestamp start{resolve(occurrence->at, *zone)};
        it->second.done_until = std::max(it->second.done_until.value_or(start), start);
        dirty_events.insert(key);
        replan_at[key] = at;
    }

    bj::array plans() const {
        bj::array rows;
        for (const auto& [key, at] : replan_at) {
            const auto& e = events.at(key);
            const auto user = users.contains(key.first) ? users.at(key.first) : User{};
            const auto timing = timing_from_json(e.timing);
            const auto zone_name = timing.time_zone.value_or(user.time_zone);
            const auto* zone = find_zone(zone_name);
            if (!zone) throw std::runtime_error("reminder_queue: unknown zone " + zone_name);
            const auto planned_at = format_timestamp(at);
            const auto after = std::max(at, e.done_until.value_or(at));
            for (const auto& r : plan_reminders(key.second, timing, *zone, settings_for(user, timing),
                                                std::chrono::floor<std::chrono::seconds>(after)))
                rows.push_back(
                    bj::object{{"user_id", key.first},
                               {"reminder_id", r.reminder_id},
                               {"calendar_event_id", key.second},
                               {"occurrence", r.occurrence},
                               {"offset_minutes", r.offset_minutes},
                               {"occurrence_at", format_timestamp(Timestamp{r.occurrence_at})},
                               {"trigger_at", format_timestamp(Timestamp{r.trigger_at})},
                               {"status", r.status},
                               {"skip_reason", r.skip_reason ? bj::value(*r.skip_reason) : bj::value(nullptr)},
                               {"title", e.title},
                               {"planned_at", planned_at},
                               {"partition", partitions.at(key.first)}});
        }
        return rows;
    }
};

}  // namespace

namespace {

//! What the facts need loaded: the users they touch, every event of the users whose zone or
//! settings changed, and the events they name. Most facts (messages, goals, moods) need nothing,
//! and then nothing is read: a user's history must not make every fact cost more.
struct Needed {
    std::set<std::string> users, whole_users;
    std::set<Key> events;

    explicit Needed(std::span<const facts::Fact> facts) {
        for (const auto& fact : facts) {
            if (!fact.applied()) continue;
            for (const auto& event : fact.events) {
                const auto& d = event.data;
                if (event.type.starts_with("user.")) {
                    users.insert(fact.user_id);
                    if (event.type == "user.profile_updated" &&
                        (d.contains("time_zone") || d.contains("settings_patch")))
                        whole_users.insert(fact.user_id);
                } else if (event.type == "calendar_event.created" || event.type == "calendar_event.updated" ||
                           event.type == "reminder.delivered") {
                    users.insert(fact.user_id);
                    events.insert({fact.user_id, text_of(d, "calendar_event_id")});
                }
            }
        }
    }

    std::string events_json() const {
        bj::array out;
        for (const auto& [user, event] : events) out.push_back(bj::object{{"u", user}, {"e", event}});
        return json::serialize(out);
    }
};

}  // namespace

void ReminderQueueProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    const Needed needed(facts);
    if (needed.users.empty()) return;
    Planner planner;
    for (const auto& row : pg::exec(tx, kLoadUsers, ids_json(needed.users)))
        planner.users[row[0].as<std::string>()] =
            User{row[1].as<std::string>(), json::parse_stored_object(row[2].as<std::string>())};
    const auto load_events = [&](const pqxx::result& result) {
        for (const auto& row : result)
            planner.events[{row[0].as<std::string>(), row[1].as<std::string>()}] = Event{
                row[2].as<std::string>(), json::parse_stored_object(row[3].as<std::string>()),
                row[4].is_null() ? std::nullopt : std::optional<Timestamp>(from_micros(row[4].as<std::int64_t>()))};
    };
    if (!needed.whole_users.empty()) load_events(pg::exec(tx, kLoadEvents, ids_json(needed.whole_users)));
    if (!needed.events.empty()) load_events(pg::exec(tx, kLoadEventsByKey, needed.events_json()));
    for (const auto& fact : facts)
        if (fact.applied())
            for (const auto& event : fact.events) planner.apply(fact, event);

    if (!planner.dirty_users.empty()) {
        bj::array rows;
        for (const auto& id : planner.dirty_users)
            rows.push_back(bj::object{{"user_id", id},
                                      {"time_zone", planner.users.at(id).time_zone},
                                      {"settings", planner.users.at(id).settings}});
        pg::exec(tx, kUpsertUsers, json::serialize(rows));
    }
    if (!planner.dirty_events.empty()) {
        bj::array rows;
        for (const auto& key : planner.dirty_events) {
            const auto& e = planner.events.at(key);
            rows.push_back(bj::object{
                {"user_id", key.first},
                {"calendar_event_id", key.second},
                {"title", e.title},
                {"timing", e.timing},
                {"done_until", e.done_until ? bj::value(format_timestamp(*e.done_until)) : bj::value(nullptr)}});
        }
        pg::exec(tx, kUpsertEvents, json::serialize(rows));
    }
    if (!planner.logs.empty()) pg::exec(tx, kInsertLogs, json::serialize(planner.logs));
    // Before re-planning, which replaces what is still scheduled.
    if (!planner.delivered.empty()) pg::exec(tx, kMarkDelivered, json::serialize(planner.delivered));
    if (!planner.replan_at.empty()) {
        bj::array keys;
        for (const auto& [key, at] : planner.replan_at) keys.push_back(bj::object{{"u", key.first}, {"e", key.second}});
        pg::exec(tx, kDropPlans, json::serialize(keys));
        if (auto rows = planner.plans(); !rows.empty()) pg::exec(tx, kInsertPlans, json::serialize(rows));
    }
    if (!planner.erased.empty()) {
        bj::array erased;
        for (const auto& id : planner.erased) erased.push_back(bj::value(id));
        pg::exec(tx, kEraseUsers, json::serialize(erased));
    }
}

}  // namespace aimi::schedule
