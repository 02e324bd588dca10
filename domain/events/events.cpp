#include "domain/events/events.hpp"

namespace aimi::events {

std::string_view type_of(const EventData& data) {
    return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, data);
}

int version_of(const EventData& data) {
    return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kVersion; }, data);
}

bool is_derived(const EventData& data) {
    return std::holds_alternative<GoalBlocked>(data) || std::holds_alternative<GoalUnblocked>(data);
}

}  // namespace aimi::events
