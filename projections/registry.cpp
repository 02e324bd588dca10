#include "projections/registry.hpp"

#include <functional>
#include <stdexcept>

#include "projections/derived/fact_projection.hpp"
#include "projections/entity_store/entity_store_projection.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/learning/learning_projection.hpp"
#include "projections/memory/memory_projection.hpp"
#include "projections/memory/vectors_projection.hpp"
#include "projections/message_search/message_search_projection.hpp"
#include "projections/notifications/notifications_projection.hpp"
#include "projections/reminder_queue/reminder_queue_projection.hpp"
#include "projections/schedule/schedule_projection.hpp"

namespace aimi {

namespace {

//! A read model built from facts: its class is all the registry needs.
template <class P>
std::pair<ProjectionSpec, std::function<std::unique_ptr<Projection>(const std::string&, bool, keys::KeyStore&)>>
from_facts() {
    return {{P::kName, ProjectionSpec::Input::facts, P::tables()},
            [](const std::string& intake_topic, bool, keys::KeyStore& keys) {
                return std::make_unique<FactsConsumer>(std::make_unique<P>(), intake_topic, keys);
            }};
}

const auto& table() {
    static const std::vector<std::pair<
        ProjectionSpec, std::function<std::unique_ptr<Projection>(const std::string&, bool, keys::KeyStore&)>>>
        entries = {
            {{entity_store::EntityStoreProjection::kName,
              ProjectionSpec::Input::events,
              {"user_streams", "batch_outcomes", "users", "devices", "chats", "sessions", "messages", "goal_nodes",
               "goal_edges", "goal_entities", "goal_links"}},
             [](const std::string&, bool stage_facts, keys::KeyStore& keys) {
                 return std::make_unique<entity_store::EntityStoreProjection>(keys, stage_facts);
             }},
            from_facts<message_search::MessageSearchProjection>(),
            from_facts<goals_graph::GoalsGraphProjection>(),
            from_facts<schedule::ScheduleProjection>(),
            from_facts<schedule::ReminderQueueProjection>(),
            from_facts<notifications::NotificationsProjection>(),
            from_facts<memory::MemoryProjection>(),
            from_facts<memory::VectorsProjection>(),
            from_facts<learning::LearningProjection>(),
        };
    return entries;
}

}  // namespace

const std::vector<ProjectionSpec>& registered_projections() {
    static const std::vector<ProjectionSpec> specs = [] {
        std::vector<ProjectionSpec> out;
        for (const auto& [spec, make] : table()) out.push_back(spec);
        return out;
    }();
    return specs;
}

const ProjectionSpec& projection_spec(const std::string& name) {
    for (const auto& [spec, make] : table())
        if (spec.name == name) return spec;
    std::string known;
    for (const auto& [spec, make] : table()) known += (known.empty() ? "" : ", ") + spec.name;
    throw std::invalid_argument("unknown projection '" + name + "' (known: " + known + ")");
}

std::unique_ptr<Projection> make_projection(const std::string& name, const std::string& intake_topic, bool stage_facts,
                                            keys::KeyStore& keys) {
    projection_spec(name);
    for (const auto& [spec, make] : table())
        if (spec.name == name) return make(intake_topic, stage_facts, keys);
    throw std::logic_error("unreachable");
}

}  // namespace aimi
