#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/problem.hpp"
#include "domain/schedule/calendar_time.hpp"

// RFC 5545 recurrence of a calendar event, expanded in wall-clock time with libical and only then
// placed on the time line (calendar_time.hpp), so DST never moves an occurrence's wall-clock time.
namespace aimi::schedule {

//! A rule may produce at most this many occurrences by COUNT; unbounded rules are bounded by the
//! window a query asks for. SECONDLY and MINUTELY rules are refused: no coach needs them.
inline constexpr int kMaxCount = 1000;

//! A series: its first occurrence (DTSTART), its rule, and the occurrences taken out (EXDATE).
struct Series {
    CalendarTime anchor;
    std::optional<std::string> rrule;
    std::set<LocalSeconds> exdates;
};

//! True if libical reads `rule` as an RFC 5545 RRULE with a FREQ (at most 500 characters).
bool parses_as_rrule(std::string_view rule);

//! Checks a rule for a series that starts at `anchor` (422 codes: invalid_rrule,
//! rrule_too_frequent, rrule_too_many_occurrences, rrule_no_occurrences); `field` names it.
std::optional<Problem> check_rrule(std::string_view rule, const CalendarTime& anchor, std::string field);

//! The starts (wall clock) of the series' occurrences in [from, to), in order, at most `limit`;
//! excluded ones skipped. A series without a rule has the one occurrence at its anchor.
std::vector<LocalSeconds> expand(const Series& series, LocalSeconds from, LocalSeconds to, std::size_t limit);

//! The last occurrence's start, or nullopt when the rule never ends (no COUNT or UNTIL).
std::optional<LocalSeconds> last_occurrence(const Series& series);

//! True if `at` is the start of one of the series' occurrences (excluded ones included).
bool is_occurrence(const Series& series, LocalSeconds at);

//! How many occurrences (excluded ones included) start before `at`.
int occurrences_before(const Series& series, LocalSeconds at);

//! The rule's COUNT (0 when it has none).
int rule_count(std::string_view rule);

//! The rule ending before `at`: UNTIL set to the second before it (COUNT replaced by the
//! occurrences before it, when the rule counted).
std::string truncated_rule(const Series& series, LocalSeconds at);

//! The rule for the part of a series from `at` on: the same rule with COUNT reduced by the
//! occurrences before `at` (unchanged when it has no COUNT).
std::string remaining_rule(const Series& series, LocalSeconds at);

}  // namespace aimi::schedule
