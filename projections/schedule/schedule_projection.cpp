#include "projections/schedule/schedule_projection.hpp"

#include <map>
#include <set>

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/schedule/occurrences.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::schedule {

namespace {

namespace bj = boost::json;
using json::text_of;
using Key = std::pair<std::string, std::string>;  // user, calendar event

const pg::Statement kLoadEvents{"schedule.load_events", R"sql(
SELECT e.user_id::text, e.calendar_event_id::text, to_jsonb(e)::text FROM calendar_events e
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, i uuid) ON e.user_id = k.u AND e.calendar_event_id = k.i)sql"};

const pg::Statement kUpsertEvents{"schedule.upsert_events", R"sql(
INSERT INTO calendar_events SELECT * FROM jsonb_populate_recordset(NULL::calendar_events, $1::jsonb)
ON CONFLICT (user_id, calendar_event_id) DO UPDATE SET type = excluded.type, title = excluded.title,
    description = excluded.description, location = excluded.location, priority = excluded.priority,
    goal_id = excluded.goal_id, source = excluded.source, status = excluded.status, timing = excluded.timing,
    occurrence_details = excluded.occurrence_details, range_start = excluded.range_start,
    range_end = excluded.range_end, updated_at = excluded.updated_at)sql"};

const pg::Statement kUpsertUsers{"schedule.upsert_users", R"sql(
INSERT INTO schedule_users (user_id, time_zone)
SELECT user_id, time_zone FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, time_zone text)
ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone)sql"};

const pg::Statement kEraseUsers{"schedule.erase_users", R"sql(
WITH erased AS (SELECT value::uuid AS id FROM jsonb_array_elements_text($1::jsonb)),
     e AS (DELETE FROM calendar_events WHERE user_id IN (SELECT id FROM erased))
DELETE FROM schedule_users WHERE user_id IN (SELECT id FROM erased))sql"};

// What a change of the series (or of the following occurrences) may set on the row.
constexpr std::string_view kSeriesFields[] = {"title", "description", "location", "type", "priority", "goal_id"};
// What one occurrence may change on its own besides its timing.
constexpr std::string_view kOccurrenceFields[] = {"title", "description", "location"};

//! The row's timing columns from the decided timing.
void set_timing(bj::object& row, const bj::object& timing_json) {
    const auto range = time_range(timing_from_json(timing_json));
    const auto instant = [](std::chrono::sys_seconds t) { return format_timestamp(Timestamp{t}); };
    row["timing"] = timing_json;
    row["status"] = timing_json.at("status");
    row["range_start"] = instant(range.start);
    row["range_end"] = range.end ? bj::value(instant(*range.end)) : bj::value(nullptr);
}

//! Moves the occurrence details at or after `occurrence` (wall-clock text of one kind sorts by time).
bj::object split_details(bj::object& details, const std::string& occurrence) {
    bj::object tail;
    for (auto it = details.begin(); it != details.end();) {
        if (std::string_view(it->key()) >= occurrence) {
            tail[it->key()] = it->value();
            it = details.erase(it);
        } else {
            ++it;
        }
    }
    return tail;
}

class Folder {
  public:
    std::map<Key, bj::object> rows;
    std::set<Key> dirty;
    std::map<std::string, std::string> zones;
    std::set<std::string> erased;

    void apply(const facts::Fact& fact, const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto at = format_timestamp(*fact.occurred_at);
        if (event.type == "user.registered" || (event.type == "user.profile_updated" && d.contains("time_zone"))) {
            zones[fact.user_id] = text_of(d, "time_zone");
        } else if (event.type == "user.erased") {
            erased.insert(fact.user_id);
            std::erase_if(rows, [&](const auto& r) { return r.first.first == fact.user_id; });
            std::erase_if(dirty, [&](const Key& k) { return k.first == fact.user_id; });
            zones.erase(fact.user_id);
        } else if (event.type == "calendar_event.created") {
            const Key key{fact.user_id, text_of(d, "calendar_event_id")};
            bj::object row{
                {"user_id", key.first},  {"calendar_event_id", key.second}, {"occurrence_details", bj::object{}},
                {"split_from", nullptr}, {"source", d.at("source")},        {"created_at", at},
                {"updated_at", at}};
            for (auto field : kSeriesFields) row[field] = d.contains(field) ? d.at(field) : bj::value(nullptr);
            set_timing(row, event.applied.at("timing").as_object());
            put(key, std::move(row));
        } else if (event.type == "calendar_event.updated") {
            update(fact.user_id, event, at);
        }
    }

  private:
    void put(const Key& key, bj::object row) {
        rows[key] = std::move(row);
        dirty.insert(key);
    }

    void update(const std::string& user, const facts::AppliedEvent& event, const std::string& at) {
        const auto& d = event.data;
        const Key key{user, text_of(d, "calendar_event_id")};
        const auto it = rows.find(key);
        if (it == rows.end()) return;  // the fold applied it, so the row was created before: erased since
        bj::object& row = it->second;
        const auto scope = text_of(d, "scope");
        if (scope == "occurrence") {
            bj::object& per = row["occurrence_details"].as_object();
            bj::object details =
                per.contains(text_of(d, "occurrence")) ? per.at(text_of(d, "occurrence")).as_object() : bj::object{};
            for (auto field : kOccurrenceFields)
                if (d.contains(field)) details[field] = d.at(field);
            if (!details.empty()) per[text_of(d, "occurrence")] = std::move(details);
        } else if (const auto* following = event.applied.if_contains("following")) {
            // The series ends before the occurrence; a copy with the change carries on from it.
            bj::object next = row;
            next["calendar_event_id"] = following->at("calendar_event_id");
            next["split_from"] = key.second;
            next["occurrence_details"] = split_details(row["occurrence_details"].as_object(), text_of(d, "occurrence"));
            for (auto field : kSeriesFields)
                if (d.contains(field)) next[field] = d.at(field);
            next["created_at"] = at;
            next["updated_at"] = at;
            set_timing(next, following->at("timing").as_object());
            put({user, text_of(following->as_object(), "calendar_event_id")}, std::move(next));
        } else if (scope == "series" || scope == "following") {
            for (auto field : kSeriesFields)
                if (d.contains(field)) row[field] = d.at(field);
        }
        if (scope == "following" && !event.applied.contains("following"))
            split_details(row["occurrence_details"].as_object(), text_of(d, "occurrence"));
        set_timing(row, event.applied.at("timing").as_object());
        row["updated_at"] = at;
        dirty.insert(key);
    }
};

}  // namespace

void ScheduleProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    bj::array keys;
    std::set<Key> wanted;
    for (const auto& fact : facts) {
        if (!fact.applied()) continue;
        for (const auto& event : fact.events)
            if (event.type == "calendar_event.updated")
                if (wanted.emplace(fact.user_id, std::string(event.data.at("calendar_event_id").as_string())).second)
                    keys.push_back(bj::object{{"u", fact.user_id}, {"i", event.data.at("calendar_event_id")}});
    }
    Folder folder;
    if (!keys.empty())
        for (const auto& row : pg::exec(tx, kLoadEvents, json::serialize(keys)))
            folder.rows[{row[0].as<std::string>(), row[1].as<std::string>()}] =
                json::parse_stored_object(row[2].as<std::string>());
    for (const auto& fact : facts)
        if (fact.applied())
            for (const auto& event : fact.events) folder.apply(fact, event);

    if (!folder.zones.empty()) {
        bj::array users;
        for (const auto& [user, zone] : folder.zones)
            users.push_back(bj::object{{"user_id", user}, {"time_zone", zone}});
        pg::exec(tx, kUpsertUsers, json::serialize(users));
    }
    if (!folder.dirty.empty()) {
        bj::array rows;
        for (const auto& key : folder.dirty) rows.push_back(folder.rows.at(key));
        pg::exec(tx, kUpsertEvents, json::serialize(rows));
    }
    // Last, so that what this batch wrote for them before the erasure goes too.
    if (!folder.erased.empty()) {
        bj::array erased;
        for (const auto& id : folder.erased) erased.push_back(bj::value(id));
        pg::exec(tx, kEraseUsers, json::serialize(erased));
    }
}

}  // namespace aimi::schedule
