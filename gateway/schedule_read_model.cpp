#include "gateway/schedule_read_model.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <queue>
#include <vector>

#include <date/tz.h>
#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "domain/schedule/icalendar.hpp"
#include "domain/schedule/occurrences.hpp"
#include "domain/time.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::schedule_read_model {

namespace {

namespace bj = boost::json;
using namespace aimi::schedule;

const std::string kRow = R"sql(to_jsonb(e) || jsonb_build_object(
    'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'user_time_zone', (SELECT time_zone FROM schedule_users u WHERE u.user_id = e.user_id)))sql";

const pg::Statement kFind{"schedule_read.find", "SELECT (" + kRow +
                                                    ")::text FROM calendar_events e "
                                                    "WHERE user_id = $1::uuid AND calendar_event_id = $2::uuid"};

// Pages are chosen before their rows are rendered (PostgreSQL computes the select list below a sort).
const pg::Statement kList{"schedule_read.list",
                          "SELECT (" + kRow +
                              ")::text FROM (SELECT * FROM calendar_events WHERE user_id = $1::uuid "
                              "AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR type = $3) "
                              "AND ($4::timestamptz IS NULL OR (created_at, calendar_event_id) > ($4::timestamptz, "
                              "$5::uuid)) ORDER BY created_at, calendar_event_id LIMIT $6) e "
                              "ORDER BY created_at, calendar_event_id",
                          pg::Planning::per_execution};

// In the order of range_start (a bound below every occurrence of the event, time_range), one page
// of candidates after the cursor (range_start, id). The page is chosen on the index before any row
// is rendered: rendering every event of a window cost a user with a few hundred reminders ~15 ms.
const pg::Statement kCandidates{"schedule_read.candidates", "SELECT (" + kRow + R"sql()::text,
       floor(extract(epoch FROM range_start))::bigint, range_start::text, calendar_event_id::text
FROM (SELECT * FROM calendar_events
      WHERE user_id = $1::uuid AND status <> 'cancelled' AND range_start < $3::timestamptz
        AND (range_end IS NULL OR range_end > $2::timestamptz)
        AND ($4::timestamptz IS NULL OR (range_start, calendar_event_id) > ($4::timestamptz, $5::uuid))
      ORDER BY range_start, calendar_event_id LIMIT $6) e
ORDER BY range_start, calendar_event_id)sql",
                                pg::Planning::per_execution};

const pg::Statement kAll{"schedule_read.all", "SELECT (" + kRow +
                                                  ")::text FROM calendar_events e WHERE user_id = $1::uuid "
                                                  "ORDER BY created_at, calendar_event_id"};

const pg::Statement kReminders{"schedule_read.reminders", R"sql(
SELECT jsonb_build_object('reminder_id', reminder_id, 'calendar_event_id', calendar_event_id,
    'occurrence', occurrence, 'offset_minutes', offset_minutes,
    'occurrence_at', to_char(occurrence_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'trigger_at', to_char(trigger_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'status', status, 'skip_reason', skip_reason, 'title', title,
    'planned_at', to_char(planned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
FROM reminder_queue WHERE user_id = $1::uuid AND ($2::text IS NULL OR status = $2)
    AND ($3::uuid IS NULL OR calendar_event_id = $3::uuid)
    AND ($4::timestamptz IS NULL OR trigger_at >= $4::timestamptz)
    AND ($5::timestamptz IS NULL OR trigger_at < $5::timestamptz)
ORDER BY trigger_at, reminder_id LIMIT $6)sql",
                               pg::Planning::per_execution};

bj::value text_or_null(const bj::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? *v : bj::value(nullptr);
}

//! The zone an event's times are read in: its own, or its user's (floating).
std::string zone_of(const bj::object& row) {
    const auto& timing = row.at("timing").as_object();
    if (const auto& z = timing.at("time_zone"); z.is_string()) return std::string(z.get_string());
    const auto* user = row.if_contains("user_time_zone");
    return user && user->is_string() ? std::string(user->get_string()) : "UTC";
}

//! The API's resource: descriptive fields, the timing as decided, and the changed occurrences
//! (timing changes and per-occurrence titles) in one list.
bj::object resource(const bj::object& row) {
    const auto& timing = row.at("timing").as_object();
    const auto& details = row.at("occurrence_details").as_object();
    std::map<std::string, bj::object> changed;
    for (const auto& c : timing.at("occurrence_changes").as_array()) {
        auto change = c.as_object();
        const std::string key(change.at("occurrence").as_string());
        changed[key] = std::move(change);
    }
    for (const auto& [key, fields] : details) {
        auto& entry = changed[std::string(key)];
        entry["occurrence"] = key;
        for (const auto& [field, value] : fields.as_object()) entry[field] = value;
    }
    bj::array occurrences;
    for (auto& [key, entry] : changed) occurrences.push_back(std::move(entry));
    bj::object out{
        {"calendar_event_id", row.at("calendar_event_id")},
        {"type", row.at("type")},
        {"title", row.at("title")},
        {"description", text_or_null(row, "description")},
        {"location", text_or_null(row, "location")},
        {"priority", row.at("priority")},
        {"goal_id", text_or_null(row, "goal_id")},
        {"source", row.at("source")},
        {"status", row.at("status")},
        {"all_day", timing.at("all_day")},
        {"start", timing.at("start")},
        {"end", timing.at("end")},
        {"due", timing.at("due")},
        {"time_zone", timing.at("time_zone")},
        {"effective_time_zone", zone_of(row)},
        {"rrule", timing.at("rrule")},
        {"exdates", timing.at("exdates")},
        {"reminder_offsets_minutes",
         timing.contains("reminder_offsets_minutes") ? timing.at("reminder_offsets_minutes") : bj::value(nullptr)},
        {"changed_occurrences", std::move(occurrences)},
        {"split_from", text_or_null(row, "split_from")},
        {"created_at", row.at("created_at")},
        {"updated_at", row.at("updated_at")}};
    return out;
}

std::vector<bj::object> rows(const pqxx::result& r) {
    std::vector<bj::object> out;
    out.reserve(r.size());
    for (const auto& row : r) out.push_back(json::parse_stored_object(row[0].as<std::string>()));
    return out;
}

std::string instant(std::chrono::sys_seconds t) {
    return format_timestamp(Timestamp{t});
}

std::optional<std::string> text(const bj::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

}  // namespace

std::optional<bj::object> find_event(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& id) {
    const auto r = pg::exec(tx, kFind, user_id, id);
    if (r.empty()) return std::nullopt;
    return resource(json::parse_stored_object(r[0][0].as<std::string>()));
}

bj::array list_events(pqxx::dbtransaction& tx, const std::string& user_id, const EventFilter& f) {
    bj::array out;
    const auto after_at = f.after ? std::optional<std::string>(f.after->first) : std::nullopt;
    const auto after_id = f.after ? std::optional<std::string>(f.after->second) : std::nullopt;
    for (const auto& row : rows(pg::exec(tx, kList, user_id, f.status, f.type, after_at, after_id, f.limit)))
        out.push_back(resource(row));
    return out;
}

OccurrencePage occurrences(pqxx::dbtransaction& tx, const std::string& user_id, std::chrono::sys_seconds from,
                           std::chrono::sys_seconds to, std::size_t limit) {
    struct Item {
        Occurrence occurrence;
        const bj::object* row;
        std::string zone;
    };
    // Items point into it: a deque keeps them in place as pages are added.
    std::deque<bj::object> candidates;
    std::vector<Item> items;
    // The limit + 1 earliest starts so far (a max-heap): once they all begin no later than the next
    // candidate's range_start, no occurrence of it or of any later candidate can make the page.
    std::priority_queue<std::chrono::sys_seconds> earliest;
    // limit + 1 occurrences and the candidate that proves no later one can make the page: one
    // query when events have one occurrence each.
    auto batch = static_cast<std::int64_t>(std::max<std::size_t>(limit + 2, 16));
    std::optional<std::string> after_start, after_id;
    for (bool done = false; !done;) {
        const auto result =
            pg::exec(tx, kCandidates, user_id, instant(from), instant(to), after_start, after_id, batch);
        done = result.size() < static_cast<std::size_t>(batch);
        // Floating events' ranges are 14 h wider than their occurrences: many may be read before
        // the stop, so later pages are larger.
        batch = std::min<std::int64_t>(batch * 2, 1024);
        for (const auto& result_row : result) {
            const std::chrono::sys_seconds bound{std::chrono::seconds(result_row[1].as<std::int64_t>())};
            if (earliest.size() > limit && earliest.top() <= bound) {
                done = true;
                break;
            }
            const auto& row = candidates.emplace_back(json::parse_stored_object(result_row[0].as<std::string>()));
            const auto timing = timing_from_json(row.at("timing").as_object());
            const auto zone_name = zone_of(row);
            const auto* zone = find_zone(zone_name);
            if (!zone) throw std::runtime_error("calendar event in unknown zone " + zone_name);
            for (auto& o : occurrences_between(timing, *zone, from, to, limit + 1)) {
                earliest.push(o.start_utc);
                if (earliest.size() > limit + 1) earliest.pop();
                items.push_back(Item{std::move(o), &row, zone_name});
            }
            after_start = result_row[2].as<std::string>();
            after_id = result_row[3].as<std::string>();
        }
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.occurrence.start_utc < b.occurrence.start_utc; });
    OccurrencePage page;
    page.more = items.size() > limit;
    if (page.more) items.resize(limit);
    for (const auto& item : items) {
        const auto& o = item.occurrence;
        const auto& row = *item.row;
        const auto occurrence = format_local(o.recurrence_id, o.start.is_date);
        bj::object details;
        if (const auto* d = row.at("occurrence_details").as_object().if_contains(occurrence)) details = d->as_object();
        const auto field = [&](std::string_view key) {
            return details.contains(key) ? details.at(key) : text_or_null(row, key);
        };
        const auto& timing = row.at("timing").as_object();
        page.items.push_back(
            bj::object{{"calendar_event_id", row.at("calendar_event_id")},
                       {"occurrence", timing.at("rrule").is_null() ? bj::value(nullptr) : bj::value(occurrence)},
                       {"title", field("title")},
                       {"description", field("description")},
                       {"location", field("location")},
                       {"type", row.at("type")},
                       {"priority", row.at("priority")},
                       {"goal_id", text_or_null(row, "goal_id")},
                       {"status", o.status},
                       {"all_day", o.start.is_date},
                       {"time_zone", item.zone},
                       {"start_local", format_calendar_time(o.start)},
                       {"end_local", o.end ? bj::value(format_calendar_time(*o.end)) : bj::value(nullptr)},
                       {"starts_at", instant(o.start_utc)},
                       {"ends_at", instant(o.end_utc)},
                       {"changed", o.changed},
                       {"is_due", !timing.at("due").is_null()}});
    }
    return page;
}

bj::array list_reminders(pqxx::dbtransaction& tx, const std::string& user_id, const ReminderFilter& f) {
    bj::array out;
    for (const auto& row : pg::exec(tx, kReminders, user_id, f.status, f.calendar_event_id, f.from, f.to, f.limit))
        out.push_back(json::parse_stored(row[0].as<std::string>()));
    return out;
}

std::string icalendar(pqxx::dbtransaction& tx, const std::string& user_id) {
    std::vector<ExportedEvent> events;
    for (const auto& row : rows(pg::exec(tx, kAll, user_id))) {
        ExportedEvent e{std::string(row.at("calendar_event_id").as_string()),
                        std::string(row.at("title").as_string()),
                        text(row, "description"),
                        text(row, "location"),
                        timing_from_json(row.at("timing").as_object()),
                        zone_of(row),
                        *parse_timestamp(row.at("created_at").as_string()),
                        *parse_timestamp(row.at("updated_at").as_string()),
                        {}};
        for (const auto& [key, fields] : row.at("occurrence_details").as_object())
            if (const auto t = parse_calendar_time(key)) e.occurrence_details[t->at] = fields.as_object();
        events.push_back(std::move(e));
    }
    return to_icalendar(events);
}

}  // namespace aimi::gateway::schedule_read_model
