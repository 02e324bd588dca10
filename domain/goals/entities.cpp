#include "domain/goals/entities.hpp"

#include "domain/schedule/recurrence.hpp"

namespace aimi::goals {

bool link_allowed(std::string_view link_type, std::string_view from, std::string_view to) {
    const auto work = [](std::string_view kind) { return kind == "task" || kind == "goal"; };
    if (link_type == "supports_goal") return to == "goal" && (from == "task" || from == "problem");
    if (link_type == "addresses_problem") return to == "problem" && work(from);
    if (link_type == "depends_on" || link_type == "blocks") return work(from) && work(to);
    return link_type == "related";
}

bool valid_rrule(std::string_view rule) {
    return schedule::parses_as_rrule(rule);
}

}  // namespace aimi::goals
