#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/assistant/intents.hpp"
#include "domain/schedule/calendar_time.hpp"

// The rule-based provider's wording, in English and Russian. Times are the user's local wall clock
// on the 24-hour clock ("Thu, Dec 4 at 18:00", "чт, 4 дек. в 18:00"). Russian replies avoid
// gendered past tenses of the assistant and address the user with "ты", as the user addresses it.
namespace aimi::assistant::reply {

//! "Thu, Dec 4" / "чт, 4 дек.", with the year when it is not `this_year` (or always: `with_year`).
std::string day_text(std::chrono::sys_days day, Language language, int this_year, bool with_year = false);
//! "Thu, Dec 4 at 18:00" / "чт, 4 дек. в 18:00"
std::string moment_text(schedule::LocalSeconds at, Language language, int this_year);
//! "18:00"
std::string clock_text(schedule::LocalSeconds at);
//! "every weekday", "every Monday and Thursday", "по будням", "каждый день"
std::string recurrence_text(std::string_view rrule, Language language);

std::string reminder_set(std::string_view title, std::string_view when, std::string_view zone, Language language);
std::string reminder_passed(std::string_view title, std::string_view when, Language language);
std::string reminder_needs_time(std::string_view title, Language language);
std::string reminder_needs_what(Language language);

std::string habit_set(std::string_view name, std::string_view rule, std::string_view time, std::string_view first,
                      std::string_view zone, Language language);
std::string habit_without_event(std::string_view name, std::string_view failure, Language language);
std::string event_without_habit(std::string_view name, std::string_view rule, std::string_view time,
                                std::string_view failure, Language language);
std::string habit_needs_what(Language language);

std::string goal_created(std::string_view title, std::optional<std::string> deadline, std::string_view category,
                         const std::vector<std::string>& similar, Language language);
std::string goal_needs_what(Language language);

std::string task_added(std::string_view title, std::optional<std::string> due, Language language);
std::string task_needs_what(Language language);
std::string task_done(std::string_view title, Language language);
std::string no_task_match(const std::vector<std::string>& open_titles, Language language);

std::string no_goal_match(const std::vector<std::string>& goal_titles, Language language);
struct Progress {
    std::string title;
    std::string status;
    std::optional<std::string> deadline;  //!< already worded
    std::int64_t tasks_open = 0;
    std::int64_t tasks_done = 0;
    std::vector<std::string> waiting_on;  //!< prerequisites not done
};
std::string progress(const Progress& p, Language language);

std::string check_in(int mood, std::optional<int> energy, const std::vector<std::string>& emotions, Language language);

struct Occurrence {
    std::string title;
    std::string local_start;  //!< "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD"
    bool all_day = false;
};
//! The occurrences of local dates [from, to), told by day when the span is longer than one.
std::string schedule(const std::vector<Occurrence>& occurrences, std::chrono::sys_days from, std::chrono::sys_days to,
                     std::chrono::sys_days today, Language language);

//! "message (code)": why a tool was refused, for sentences that say it themselves.
std::string failure_text(std::string_view code, std::string_view message);
//! What could not be done and why, as the tool's refusal says (`tool` names the action).
std::string failed(std::string_view tool, std::string_view code, std::string_view message, Language language);

std::string greeting(std::string_view name, Language language);
std::string thanks(Language language);
//! What the assistant can do, with examples: for anything it did not understand.
std::string fallback(Language language);

}  // namespace aimi::assistant::reply
