#include "domain/goals/entities.hpp"

#include <string>

#include <libical/ical.h>

namespace aimi::goals {

bool link_allowed(std::string_view link_type, std::string_view from, std::string_view to) {
    const auto work = [](std::string_view kind) { return kind == "task" || kind == "goal"; };
    if (link_type == "supports_goal") return to == "goal" && (from == "task" || from == "problem");
    if (link_type == "addresses_problem") return to == "problem" && work(from);
    if (link_type == "depends_on" || link_type == "blocks") return work(from) && work(to);
    return link_type == "related";
}

bool valid_rrule(std::string_view rule) {
    if (rule.empty() || rule.size() > 500) return false;
    const std::string text(rule);
    if (text.find("FREQ=") == std::string::npos) return false;
    // libical reports a bad rule through its (per-thread) error number and FREQ=NONE.
    icalerror_clear_errno();
    const icalrecurrencetype parsed = icalrecurrencetype_from_string(text.c_str());
    const bool ok = icalerrno == ICAL_NO_ERROR && parsed.freq != ICAL_NO_RECURRENCE;
    icalerror_clear_errno();
    return ok;
}

}  // namespace aimi::goals
