#include "domain/events/events.hpp"

namespace aimi::events {

std::string_view type_of(const EventData& data) {
    return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, data);
}

int version_of(const EventData& data) {
    return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kVersion; }, data);
}

}  // namespace aimi::events
