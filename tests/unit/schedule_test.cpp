#include <date/tz.h>
#include <gtest/gtest.h>
#include <libical/ical.h>

#include <random>

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include "domain/json/serialize.hpp"

#include "domain/schedule/calendar_time.hpp"
#include "domain/schedule/icalendar.hpp"
#include "domain/schedule/occurrences.hpp"
#include "domain/schedule/recurrence.hpp"
#include "domain/schedule/reminders.hpp"
#include "domain/schedule/timing.hpp"
#include "domain/time.hpp"

namespace aimi::schedule {
namespace {

namespace bj = boost::json;
using std::chrono::sys_seconds;

LocalSeconds local(std::string_view text) {
    return parse_calendar_time(text).value().at;
}
sys_seconds utc(std::string_view text) {
    return std::chrono::floor<std::chrono::seconds>(parse_timestamp(text).value());
}
std::string utc_text(sys_seconds t) {
    return format_timestamp(Timestamp{t});
}
const date::time_zone& zone(std::string_view name) {
    return *find_zone(name);
}
Timing timing(const bj::object& data) {
    auto t = create_timing(data);
    if (auto* p = std::get_if<Problem>(&t)) ADD_FAILURE() << p->code << ": " << p->message;
    return std::get<Timing>(t);
}
std::string refusal(const bj::object& data) {
    auto t = create_timing(data);
    return std::holds_alternative<Problem>(t) ? std::get<Problem>(t).code : "accepted";
}
std::vector<std::string> starts(const Timing& t, std::string_view zone_name, std::string_view from, std::string_view to,
                                std::size_t limit = 1000) {
    std::vector<std::string> out;
    for (const auto& o : occurrences_between(t, zone(zone_name), utc(from), utc(to), limit))
        out.push_back(format_calendar_time(o.start) + "=" + utc_text(o.start_utc));
    return out;
}

TEST(CalendarTime, ParsesExactlyWhatItWrites) {
    for (const auto* text : {"2026-03-08", "2026-03-08T02:30:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59"}) {
        const auto t = parse_calendar_time(text);
        ASSERT_TRUE(t) << text;
        EXPECT_EQ(format_calendar_time(*t), text);
    }
    for (const auto* text : {"2026-03-08T02:30", "2026-02-30", "2026-03-08T24:00:00", "2026-03-08T02:30:00Z",
                             "2026-03-08T02:30:00+01:00", "2026-3-8", "2026-03-08 02:30:00", ""})
        EXPECT_FALSE(parse_calendar_time(text)) << text;
}

TEST(CalendarTime, ResolvesGapsAndOverlapsAsRfc5545Says) {
    // New York springs forward 2026-03-08 02:00 -> 03:00: 02:30 is read with EST, the offset before.
    EXPECT_EQ(utc_text(resolve(local("2026-03-08T02:30:00"), zone("America/New_York"))), "2026-03-08T07:30:00.000000Z");
    // ... and falls back 2026-11-01 02:00 -> 01:00: 01:30 happens twice; the first (EDT) counts.
    EXPECT_EQ(utc_text(resolve(local("2026-11-01T01:30:00"), zone("America/New_York"))), "2026-11-01T05:30:00.000000Z");
    // Berlin: 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00.
    EXPECT_EQ(utc_text(resolve(local("2026-03-29T02:30:00"), zone("Europe/Berlin"))), "2026-03-29T01:30:00.000000Z");
    EXPECT_EQ(utc_text(resolve(local("2026-10-25T02:30:00"), zone("Europe/Berlin"))), "2026-10-25T00:30:00.000000Z");
    EXPECT_EQ(utc_text(resolve(local("2026-07-01T12:00:00"), zone("Europe/Berlin"))), "2026-07-01T10:00:00.000000Z");
    // After 2037, where the tz files stop listing transitions, the zone's rule still holds.
    EXPECT_EQ(utc_text(resolve(local("2050-07-01T12:00:00"), zone("America/New_York"))), "2050-07-01T16:00:00.000000Z");
    EXPECT_EQ(utc_text(resolve(local("2090-03-15T09:00:00"), zone("America/New_York"))), "2090-03-15T13:00:00.000000Z");
    EXPECT_EQ(utc_text(resolve(local("2090-03-12T02:30:00"), zone("America/New_York"))), "2090-03-12T07:30:00.000000Z");
    EXPECT_EQ(utc_text(resolve(local("2090-12-01T09:00:00"), zone("America/New_York"))), "2090-12-01T14:00:00.000000Z");
    EXPECT_EQ(format_local(to_local(utc("2050-07-01T16:00:00Z"), zone("America/New_York")), false),
              "2050-07-01T12:00:00");
}

TEST(Occurrences, KeepWallClockTimeAcrossSpringForwardInNewYork) {
    const auto t = timing({{"start", "2026-03-06T08:00:00"}, {"end", "2026-03-06T08:30:00"}, {"rrule", "FREQ=DAILY"}});
    EXPECT_EQ(
        starts(t, "America/New_York", "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"),
        (std::vector<std::string>{
            "2026-03-06T08:00:00=2026-03-06T13:00:00.000000Z", "2026-03-07T08:00:00=2026-03-07T13:00:00.000000Z",
            "2026-03-08T08:00:00=2026-03-08T12:00:00.000000Z", "2026-03-09T08:00:00=2026-03-09T12:00:00.000000Z"}));
}

TEST(Occurrences, NonexistentAndRepeatedTimesInNewYork) {
    const auto gap = timing({{"start", "2026-03-07T02:30:00"}, {"rrule", "FREQ=DAILY;COUNT=3"}});
    EXPECT_EQ(starts(gap, "America/New_York", "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z"),
              (std::vector<std::string>{"2026-03-07T02:30:00=2026-03-07T07:30:00.000000Z",
                                        "2026-03-08T02:30:00=2026-03-08T07:30:00.000000Z",
                                        "2026-03-09T02:30:00=2026-03-09T06:30:00.000000Z"}));
    const auto twice = timing({{"start", "2026-10-31T01:30:00"}, {"rrule", "FREQ=DAILY;COUNT=3"}});
    EXPECT_EQ(starts(twice, "America/New_York", "2026-10-01T00:00:00Z", "2026-11-30T00:00:00Z"),
              (std::vector<std::string>{"2026-10-31T01:30:00=2026-10-31T05:30:00.000000Z",
                                        "2026-11-01T01:30:00=2026-11-01T05:30:00.000000Z",
                                        "2026-11-02T01:30:00=2026-11-02T06:30:00.000000Z"}));
}

TEST(Occurrences, WeeklyAcrossBothBerlinChanges) {
    const auto t = timing({{"start", "2026-03-22T09:00:00"}, {"rrule", "FREQ=WEEKLY;UNTIL=20261101T000000"}});
    const auto all = starts(t, "Europe/Berlin", "2026-03-01T00:00:00Z", "2026-12-01T00:00:00Z");
    ASSERT_EQ(all.size(), 32u);
    EXPECT_EQ(all[0], "2026-03-22T09:00:00=2026-03-22T08:00:00.000000Z");   // CET
    EXPECT_EQ(all[1], "2026-03-29T09:00:00=2026-03-29T07:00:00.000000Z");   // CEST from that morning
    EXPECT_EQ(all[31], "2026-10-25T09:00:00=2026-10-25T08:00:00.000000Z");  // CET again
}

TEST(Occurrences, AllDayEventsSpanTheirDatesFromMidnight) {
    const auto t = timing({{"start", "2026-03-08"}, {"all_day", true}, {"rrule", "FREQ=YEARLY"}});
    const auto o =
        occurrences_between(t, zone("America/New_York"), utc("2026-03-08T12:00:00Z"), utc("2026-03-09T00:00:00Z"), 10);
    ASSERT_EQ(o.size(), 1u);
    EXPECT_EQ(utc_text(o[0].start_utc), "2026-03-08T05:00:00.000000Z");
    EXPECT_EQ(utc_text(o[0].end_utc), "2026-03-09T04:00:00.000000Z");  // a 23-hour day
}

TEST(Occurrences, AYearOfADailyRuleAndTheLimit) {
    const auto t = timing({{"start", "2026-01-01T07:00:00"}, {"rrule", "FREQ=DAILY"}});
    EXPECT_EQ(starts(t, "Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").size(), 365u);
    EXPECT_EQ(starts(t, "Europe/Berlin", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", 10).size(), 10u);
    // A window far from the start does not walk from it (and finds the same occurrences).
    EXPECT_EQ(starts(t, "UTC", "2030-06-01T00:00:00Z", "2030-06-03T00:00:00Z"),
              (std::vector<std::string>{"2030-06-01T07:00:00=2030-06-01T07:00:00.000000Z",
                                        "2030-06-02T07:00:00=2030-06-02T07:00:00.000000Z"}));
}

TEST(Occurrences, IntervalRulesStayAlignedWhenStartingInsideTheSeries) {
    const auto t = timing({{"start", "2026-01-05T10:00:00"}, {"rrule", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"}});
    EXPECT_EQ(
        starts(t, "UTC", "2026-03-01T00:00:00Z", "2026-03-20T00:00:00Z"),
        (std::vector<std::string>{
            "2026-03-02T10:00:00=2026-03-02T10:00:00.000000Z", "2026-03-05T10:00:00=2026-03-05T10:00:00.000000Z",
            "2026-03-16T10:00:00=2026-03-16T10:00:00.000000Z", "2026-03-19T10:00:00=2026-03-19T10:00:00.000000Z"}));
    EXPECT_TRUE(is_occurrence(t.series(), local("2026-03-16T10:00:00")));
    EXPECT_FALSE(is_occurrence(t.series(), local("2026-03-09T10:00:00")));
}

TEST(Timing, RefusesWhatCannotBeScheduled) {
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"end", "2026-03-08T09:00:00"}}), "end_before_start");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"end", "2026-03-08T10:00:00"}}), "end_before_start");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"due", "2026-03-08T11:00:00"}}), "start_and_due");
    EXPECT_EQ(refusal({{"title", "x"}}), "start_or_due_required");
    EXPECT_EQ(refusal({{"due", "2026-03-08T10:00:00"}, {"end", "2026-03-08T11:00:00"}}), "end_without_start");
    EXPECT_EQ(refusal({{"start", "2026-03-08"}}), "all_day_mismatch");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"all_day", true}}), "all_day_mismatch");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"time_zone", "Mars/Olympus_Mons"}}), "invalid_value");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "FREQ=SOMETIMES"}}), "invalid_rrule");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "BYDAY=MO"}}), "invalid_rrule");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "FREQ=MINUTELY"}}), "rrule_too_frequent");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "FREQ=DAILY;COUNT=10000"}}),
              "rrule_too_many_occurrences");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "FREQ=DAILY;UNTIL=20260101T000000"}}),
              "rrule_no_occurrences");
    EXPECT_EQ(
        refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "FREQ=DAILY"}, {"exdates", bj::array{"2026-03-09"}}}),
        "all_day_mismatch");
    EXPECT_EQ(refusal({{"start", "2026-03-08T10:00:00"}, {"rrule", "FREQ=DAILY;COUNT=1000"}}), "accepted");
}

TEST(Timing, RoundTripsThroughJson) {
    auto t = timing({{"start", "2026-03-08T10:00:00"},
                     {"end", "2026-03-08T11:00:00"},
                     {"time_zone", "Europe/Berlin"},
                     {"rrule", "FREQ=DAILY"},
                     {"exdates", bj::array{"2026-03-10T10:00:00"}}});
    auto moved = update_timing(
        t, {{"scope", "occurrence"}, {"occurrence", "2026-03-12T10:00:00"}, {"start", "2026-03-12T15:00:00"}});
    t = std::get<UpdatedTiming>(moved).series;
    EXPECT_EQ(timing_from_json(to_json(t)), t);
}

TEST(Timing, OneOccurrenceMovedCancelledOrCompleted) {
    const auto t =
        timing({{"start", "2026-03-02T10:00:00"}, {"end", "2026-03-02T11:00:00"}, {"rrule", "FREQ=DAILY;COUNT=5"}});
    auto moved = std::get<UpdatedTiming>(update_timing(
        t, {{"scope", "occurrence"}, {"occurrence", "2026-03-03T10:00:00"}, {"start", "2026-03-03T16:00:00"}}));
    auto cancelled = std::get<UpdatedTiming>(update_timing(
        moved.series, {{"scope", "occurrence"}, {"occurrence", "2026-03-04T10:00:00"}, {"status", "cancelled"}}));
    auto done = std::get<UpdatedTiming>(update_timing(
        cancelled.series, {{"scope", "occurrence"}, {"occurrence", "2026-03-05T10:00:00"}, {"status", "completed"}}));
    std::vector<std::string> got;
    for (const auto& o :
         occurrences_between(done.series, zone("UTC"), utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z"), 100))
        got.push_back(format_calendar_time(o.start) + "-" + format_calendar_time(*o.end) + " " + o.status);
    EXPECT_EQ(got, (std::vector<std::string>{"2026-03-02T10:00:00-2026-03-02T11:00:00 scheduled",
                                             "2026-03-03T16:00:00-2026-03-03T17:00:00 scheduled",
                                             "2026-03-05T10:00:00-2026-03-05T11:00:00 completed",
                                             "2026-03-06T10:00:00-2026-03-06T11:00:00 scheduled"}));
    const auto missing =
        update_timing(t, {{"scope", "occurrence"}, {"occurrence", "2026-03-03T11:00:00"}, {"title", "x"}});
    EXPECT_EQ(std::get<Problem>(missing).code, "occurrence_not_found");
    const auto again = update_timing(
        cancelled.series, {{"scope", "occurrence"}, {"occurrence", "2026-03-04T10:00:00"}, {"status", "completed"}});
    EXPECT_EQ(std::get<Problem>(again).code, "occurrence_not_found");
    const auto rule =
        update_timing(t, {{"scope", "occurrence"}, {"occurrence", "2026-03-03T10:00:00"}, {"rrule", "FREQ=WEEKLY"}});
    EXPECT_EQ(std::get<Problem>(rule).code, "not_per_occurrence");
    const auto single = timing({{"start", "2026-03-02T10:00:00"}});
    EXPECT_EQ(
        std::get<Problem>(update_timing(single, {{"scope", "occurrence"}, {"occurrence", "2026-03-02T10:00:00"}})).code,
        "not_recurring");
}

TEST(Timing, ThisAndFollowingSplitsTheSeriesAndKeepsTheCount) {
    const auto t = timing({{"start", "2026-03-02T10:00:00"}, {"rrule", "FREQ=DAILY;COUNT=10"}});
    auto split = std::get<UpdatedTiming>(update_timing(
        t, {{"scope", "following"}, {"occurrence", "2026-03-06T10:00:00"}, {"start", "2026-03-06T18:00:00"}}));
    ASSERT_TRUE(split.following);
    const auto before = starts(split.series, "UTC", "2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z");
    const auto after = starts(*split.following, "UTC", "2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z");
    EXPECT_EQ(before.size(), 4u);
    ASSERT_EQ(after.size(), 6u);
    EXPECT_EQ(after.front(), "2026-03-06T18:00:00=2026-03-06T18:00:00.000000Z");
    EXPECT_EQ(after.back(), "2026-03-11T18:00:00=2026-03-11T18:00:00.000000Z");

    const auto open = timing({{"start", "2026-03-02T10:00:00"}, {"rrule", "FREQ=DAILY"}});
    auto ended = std::get<UpdatedTiming>(
        update_timing(open, {{"scope", "following"}, {"occurrence", "2026-03-06T10:00:00"}, {"status", "cancelled"}}));
    EXPECT_FALSE(ended.following);
    EXPECT_EQ(starts(ended.series, "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z").size(), 4u);
    EXPECT_TRUE(time_range(ended.series).end);
    EXPECT_FALSE(time_range(open).end);
}

// Readers stop expanding at the first candidate whose range starts after their page: a range may
// start no later than any occurrence, in any zone the event can be read in.
TEST(TimeRange, HoldsEveryOccurrenceAndStartsAtASingleZonedEventsFirst) {
    std::mt19937 rng(20261204);
    const std::vector<std::string> zones{"America/New_York", "Europe/Berlin",  "Australia/Lord_Howe",
                                         "Pacific/Apia",     "Asia/Kathmandu", "UTC"};
    // Days around DST changes and a skipped day (Apia, 2011-12-30), at every quarter hour.
    const std::vector<std::string> days{"2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25",
                                        "2026-04-05", "2011-12-29", "2011-12-31", "2026-06-15"};
    const auto pick = [&](const auto& v) {
        return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
    };
    const auto at = [&](const std::string& day) {
        const auto minutes = std::uniform_int_distribution<int>(0, 95)(rng) * 15;
        return fmt::format("{}T{:02}:{:02}:00", day, minutes / 60, minutes % 60);
    };
    for (int i = 0; i < 2000; ++i) {
        bj::object data;
        const bool due = i % 3 == 0, all_day = !due && i % 5 == 0;
        const auto day = pick(days);
        if (due) {
            data["due"] = at(day);
        } else {
            data["start"] = all_day ? day : at(day);
            if (i % 2 == 0 && !all_day) data["end"] = at(day);  // refused when before the start
            if (all_day) data["all_day"] = true;
        }
        const bool zoned = i % 4 != 3;
        if (zoned) data["time_zone"] = pick(zones);
        if (i % 7 == 0) data["rrule"] = "FREQ=DAILY;COUNT=3";
        auto created = create_timing(data);
        if (std::holds_alternative<Problem>(created)) continue;  // an end before its start, say
        auto t = std::get<Timing>(created);
        if (t.rrule && i % 2 == 0) {
            // Move the second occurrence before the first.
            const auto second = starts(t, "UTC", "1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", 2);
            if (second.size() == 2)
                if (auto moved = update_timing(t, {{"scope", "occurrence"},
                                                   {"occurrence", second[1].substr(0, second[1].find('='))},
                                                   {"start", at(day)}});
                    std::holds_alternative<UpdatedTiming>(moved))
                    t = std::get<UpdatedTiming>(moved).series;
        }
        const auto range = time_range(t);
        const auto read_in = zoned ? std::vector<std::string>{*t.time_zone} : zones;  // floating: any zone
        for (const auto& name : read_in) {
            const auto all =
                occurrences_between(t, zone(name), utc("1970-01-01T00:00:00Z"), utc("2100-01-01T00:00:00Z"), 100);
            ASSERT_FALSE(all.empty()) << json::serialize(data);
            for (const auto& o : all) {
                EXPECT_LE(range.start, o.start_utc) << json::serialize(data) << " in " << name;
                if (range.end) EXPECT_GE(*range.end, o.end_utc) << json::serialize(data) << " in " << name;
            }
            if (zoned && !t.rrule) EXPECT_EQ(range.start, all.front().start_utc) << json::serialize(data);
        }
    }
}

TEST(ICalendar, ParsesBackWithLibical) {
    auto t = timing({{"start", "2026-03-02T10:00:00"},
                     {"end", "2026-03-02T11:00:00"},
                     {"time_zone", "America/New_York"},
                     {"rrule", "FREQ=WEEKLY;BYDAY=MO,WE"},
                     {"exdates", bj::array{"2026-03-04T10:00:00"}}});
    t = std::get<UpdatedTiming>(
            update_timing(
                t, {{"scope", "occurrence"}, {"occurrence", "2026-03-09T10:00:00"}, {"start", "2026-03-09T12:00:00"}}))
            .series;
    const std::vector<ExportedEvent> events{
        {"0b7f2a1e-0000-4000-8000-000000000001",
         "Run, then stretch; \"easy\"",
         std::string("line one\nline two"),
         std::nullopt,
         t,
         "America/New_York",
         now_utc(),
         now_utc(),
         {}},
        {"0b7f2a1e-0000-4000-8000-000000000002",
         "Holiday",
         std::nullopt,
         std::string("Berlin"),
         timing({{"start", "2026-12-24"}, {"end", "2026-12-27"}, {"all_day", true}}),
         "Europe/Berlin",
         now_utc(),
         now_utc(),
         {}}};
    const auto text = to_icalendar(events);
    icalcomponent* parsed = icalparser_parse_string(text.c_str());
    ASSERT_NE(parsed, nullptr) << text;
    EXPECT_EQ(icalcomponent_count_errors(parsed), 0) << text;
    EXPECT_EQ(icalcomponent_count_components(parsed, ICAL_VEVENT_COMPONENT), 3);
    EXPECT_EQ(icalcomponent_count_components(parsed, ICAL_VTIMEZONE_COMPONENT), 1);
    icalcomponent* first = icalcomponent_get_first_component(parsed, ICAL_VEVENT_COMPONENT);
    EXPECT_STREQ(icalcomponent_get_summary(first), "Run, then stretch; \"easy\"");
    EXPECT_STREQ(icalcomponent_get_description(first), "line one\nline two");
    const auto rrule = icalproperty_get_rrule(icalcomponent_get_first_property(first, ICAL_RRULE_PROPERTY));
    EXPECT_EQ(rrule.freq, ICAL_WEEKLY_RECURRENCE);
    EXPECT_NE(text.find("DTSTART;TZID=America/New_York:20260302T100000"), std::string::npos) << text;
    EXPECT_NE(text.find("RECURRENCE-ID;TZID=America/New_York:20260309T100000"), std::string::npos) << text;
    EXPECT_NE(text.find("DTSTART;VALUE=DATE:20261224"), std::string::npos) << text;
    icalcomponent_free(parsed);
}

std::vector<std::string> plan(const Timing& t, std::string_view zone_name, const bj::object& settings,
                              std::string_view after) {
    std::vector<std::string> out;
    for (const auto& r : plan_reminders("e", t, zone(zone_name), reminder_settings(settings), utc(after)))
        out.push_back(r.reminder_id + " " + utc_text(r.trigger_at) + " " + r.status +
                      (r.skip_reason ? "/" + *r.skip_reason : ""));
    return out;
}

TEST(Reminders, DefaultsAreADayAndTwoHoursBeforeInTheEventsZone) {
    const auto t = timing({{"start", "2026-03-09T09:00:00"}});  // New York is on EDT since the 8th
    EXPECT_EQ(plan(t, "America/New_York", {}, "2026-03-01T00:00:00Z"),
              (std::vector<std::string>{"e/2026-03-09T09:00:00/1440 2026-03-08T13:00:00.000000Z scheduled",
                                        "e/2026-03-09T09:00:00/120 2026-03-09T11:00:00.000000Z scheduled"}));
    // Planned an hour before: both are past.
    EXPECT_EQ(plan(t, "America/New_York", {}, "2026-03-09T12:00:00Z"),
              (std::vector<std::string>{"e/2026-03-09T09:00:00/1440 2026-03-08T13:00:00.000000Z skipped/past",
                                        "e/2026-03-09T09:00:00/120 2026-03-09T11:00:00.000000Z skipped/past"}));
    // Once it has begun, nothing (a single event has no next occurrence).
    EXPECT_TRUE(plan(t, "America/New_York", {}, "2026-03-09T13:00:01Z").empty());
}

TEST(Reminders, QuietHoursMoveAReminderToTheirEndOrSkipIt) {
    const bj::object settings{
        {"reminders", bj::object{{"offsets_minutes", bj::array{120, 30}},
                                 {"quiet_hours", bj::object{{"start", "22:00"}, {"end", "07:00"}}}}}};
    EXPECT_EQ(
        plan(timing({{"start", "2026-05-04T08:00:00"}}), "Europe/Berlin", settings, "2026-05-01T00:00:00Z"),
        (std::vector<std::string>{"e/2026-05-04T08:00:00/120 2026-05-04T05:00:00.000000Z scheduled",  // 07:00 CEST
                                  "e/2026-05-04T08:00:00/30 2026-05-04T05:30:00.000000Z scheduled"}));
    EXPECT_EQ(plan(timing({{"start", "2026-05-04T06:45:00"}}), "Europe/Berlin", settings, "2026-05-01T00:00:00Z"),
              (std::vector<std::string>{"e/2026-05-04T06:45:00/120 2026-05-04T02:45:00.000000Z skipped/quiet_hours",
                                        "e/2026-05-04T06:45:00/30 2026-05-04T04:15:00.000000Z skipped/quiet_hours"}));
    EXPECT_EQ(plan(timing({{"start", "2026-05-04T23:30:00"}}), "Europe/Berlin", settings, "2026-05-01T00:00:00Z"),
              (std::vector<std::string>{"e/2026-05-04T23:30:00/120 2026-05-04T19:30:00.000000Z scheduled",
                                        "e/2026-05-04T23:30:00/30 2026-05-04T21:00:00.000000Z skipped/quiet_hours"}));
}

TEST(Reminders, ARecurringEventRemindsOfItsNextOccurrenceOnly) {
    auto t = timing({{"start", "2026-06-01T07:00:00"}, {"rrule", "FREQ=WEEKLY;BYDAY=MO"}, {"time_zone", "UTC"}});
    const bj::object one{{"reminders", bj::object{{"offsets_minutes", bj::array{60}}}}};
    EXPECT_EQ(plan(t, "UTC", one, "2026-06-09T00:00:00Z"),
              (std::vector<std::string>{"e/2026-06-15T07:00:00/60 2026-06-15T06:00:00.000000Z scheduled"}));
    t = std::get<UpdatedTiming>(
            update_timing(t, {{"scope", "occurrence"}, {"occurrence", "2026-06-15T07:00:00"}, {"status", "cancelled"}}))
            .series;
    EXPECT_EQ(plan(t, "UTC", one, "2026-06-09T00:00:00Z"),
              (std::vector<std::string>{"e/2026-06-22T07:00:00/60 2026-06-22T06:00:00.000000Z scheduled"}));
    // A yearly rule a year away, a finished series, a completed event.
    EXPECT_EQ(plan(timing({{"start", "2026-01-10"}, {"all_day", true}, {"rrule", "FREQ=YEARLY"}}), "UTC", one,
                   "2026-01-11T00:00:00Z"),
              (std::vector<std::string>{"e/2027-01-10/60 2027-01-09T23:00:00.000000Z scheduled"}));
    EXPECT_TRUE(plan(timing({{"start", "2026-01-10T10:00:00"}, {"rrule", "FREQ=DAILY;COUNT=2"}}), "UTC", one,
                     "2026-02-01T00:00:00Z")
                    .empty());
    EXPECT_TRUE(
        plan(timing({{"start", "2026-08-10T10:00:00"}, {"status", "completed"}}), "UTC", one, "2026-02-01T00:00:00Z")
            .empty());
}

TEST(Reminders, SettingsAreCheckedWhereTheProfileIsWritten) {
    const auto code = [](const bj::object& reminders) {
        const auto p = check_reminder_settings(bj::object{{"reminders", reminders}});
        return p ? p->code + " " + p->field : std::string("ok");
    };
    EXPECT_EQ(code({{"offsets_minutes", bj::array{1440, 120, 0}},
                    {"quiet_hours", bj::object{{"start", "22:00"}, {"end", "07:00"}}}}),
              "ok");
    EXPECT_EQ(code({{"offsets_minutes", bj::array{-5}}}), "out_of_range /settings/reminders/offsets_minutes/0");
    EXPECT_EQ(code({{"offsets_minutes", bj::array{50000}}}), "out_of_range /settings/reminders/offsets_minutes/0");
    EXPECT_EQ(code({{"offsets_minutes", "1440"}}), "invalid_type /settings/reminders/offsets_minutes");
    EXPECT_EQ(code({{"quiet_hours", bj::object{{"start", "25:00"}, {"end", "07:00"}}}}),
              "invalid_format /settings/reminders/quiet_hours/start");
    EXPECT_EQ(code({{"quiet_hours", bj::object{{"start", "22:00"}}}}),
              "invalid_format /settings/reminders/quiet_hours/end");
    EXPECT_EQ(code({{"snooze", true}}), "unknown_field /settings/reminders/snooze");
    EXPECT_FALSE(check_reminder_settings(bj::object{{"theme", "dark"}}));
}

}  // namespace
}  // namespace aimi::schedule
