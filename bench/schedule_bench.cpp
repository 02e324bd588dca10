// Occurrence expansion (docs/benchmarks.md, phase h): a year of a daily rule, expanded by the
// schedule's code (libical on the wall clock, then tzdata for each occurrence, DST rule,
// per-occurrence changes) beside libical alone iterating the same rule (the baseline: the least
// any expansion with libical costs). Nothing here asserts on timings.
#include <benchmark/benchmark.h>
#include <date/tz.h>
#include <libical/ical.h>

#include <boost/json/object.hpp>

#include "domain/schedule/occurrences.hpp"
#include "domain/schedule/timing.hpp"
#include "domain/time.hpp"

namespace {

using namespace aimi::schedule;

Timing daily(const char* rule) {
    return std::get<Timing>(create_timing(
        boost::json::object{{"start", "2026-01-01T07:30:00"}, {"end", "2026-01-01T08:00:00"}, {"rrule", rule}}));
}

std::chrono::sys_seconds at(const char* text) {
    return std::chrono::floor<std::chrono::seconds>(aimi::parse_timestamp(text).value());
}

//! libical alone: iterate FREQ=DAILY from DTSTART for a year (365 occurrences), floating time.
void LibicalAloneYearOfDaily(benchmark::State& state) {
    const icalrecurrencetype rule = icalrecurrencetype_from_string("FREQ=DAILY");
    const icaltimetype start = icaltime_from_string("20260101T073000");
    const icaltimetype end = icaltime_from_string("20270101T000000");
    std::size_t n = 0;
    for (auto _ : state) {
        icalrecur_iterator* it = icalrecur_iterator_new(rule, start);
        n = 0;
        for (icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t) && icaltime_compare(t, end) < 0;
             t = icalrecur_iterator_next(it))
            ++n;
        icalrecur_iterator_free(it);
        benchmark::DoNotOptimize(n);
    }
    state.counters["occurrences"] = static_cast<double>(n);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(LibicalAloneYearOfDaily);

//! The schedule's expansion of the same year in Europe/Berlin: instants across both DST changes.
void ScheduleYearOfDaily(benchmark::State& state) {
    const auto timing = daily("FREQ=DAILY");
    const auto& zone = *find_zone("Europe/Berlin");
    std::size_t n = 0;
    for (auto _ : state) {
        const auto o = occurrences_between(timing, zone, at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"), 5000);
        n = o.size();
        benchmark::DoNotOptimize(o.data());
    }
    state.counters["occurrences"] = static_cast<double>(n);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(ScheduleYearOfDaily);

//! A week's window three years after the start of a rule without end: libical starts at the window.
void ScheduleWeekOfDailyThreeYearsOn(benchmark::State& state) {
    const auto timing = daily("FREQ=DAILY");
    const auto& zone = *find_zone("America/New_York");
    for (auto _ : state) {
        const auto o = occurrences_between(timing, zone, at("2029-03-05T00:00:00Z"), at("2029-03-12T00:00:00Z"), 5000);
        benchmark::DoNotOptimize(o.data());
    }
}
BENCHMARK(ScheduleWeekOfDailyThreeYearsOn);

}  // namespace

BENCHMARK_MAIN();
