#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "domain/time.hpp"

// The goals graph's vocabulary, shared by the decider (the entity-store fold), the goals-graph
// read model and the gateway. Reconciliation with the seeds: docs/goals.md.
namespace aimi::goals {

//! active = open work (seed 001's todo; `blocked` is derived, never stored); done; cancelled
//! (seed 001's canceled); archived (put away; seed 002's archived_at).
enum class GoalStatus { active, done, cancelled, archived };

std::string_view to_string(GoalStatus status);
std::optional<GoalStatus> goal_status(std::string_view text);

//! Seed 001's categories, plus `other` for what fits none of them.
inline constexpr std::array<std::string_view, 8> kCategories{"career",   "health", "learning", "finance",
                                                             "personal", "social", "creative", "other"};

//! requires, enables and blocks order the dependent goal after its parent (the DAG); requires and
//! blocks also block it until the parent is no longer active. related and parallel only associate.
enum class DependencyType { requires_, enables, blocks, related, parallel };

std::string_view to_string(DependencyType type);
std::optional<DependencyType> dependency_type(std::string_view text);
inline bool orders(DependencyType t) {
    return t == DependencyType::requires_ || t == DependencyType::enables || t == DependencyType::blocks;
}
inline bool blocks_until_finished(DependencyType t) {
    return t == DependencyType::requires_ || t == DependencyType::blocks;
}

//! What the decider keeps of a goal: enough to decide every rule, nothing personal but the
//! normalized title (exact-duplicate detection), which an erasure deletes with the rest.
struct GoalNode {
    std::string id;
    GoalStatus status = GoalStatus::active;
    std::string title_norm;
    Timestamp created_at{};
};

struct Dependency {
    std::string id;
    std::string parent_goal_id;     //!< comes first: the prerequisite
    std::string dependent_goal_id;  //!< comes after it
    DependencyType type = DependencyType::requires_;
    int strength = 1;
};

//! A task, problem, habit (seed 002) or calendar event as the decider keeps it: its kind and
//! status, and for a calendar event its decided timing (domain/schedule/timing.hpp) as JSON.
struct EntityNode {
    std::string id;
    std::string kind;  //!< "task" | "problem" | "habit" | "calendar_event" | "notification"
    std::string status;
    boost::json::object details;
    bool archived() const { return status == "archived"; }
};

//! A typed link between two of the user's goals, tasks and problems.
struct Link {
    std::string id;
    std::string from_kind, from_id, to_kind, to_id;
    std::string type;  //!< depends_on | blocks | supports_goal | related | addresses_problem
};

//! Case-folded (ASCII and the Latin-1/Cyrillic letters of the seeds' languages), whitespace
//! collapsed, trimmed, trailing punctuation dropped: "  Run a  Marathon! " -> "run a marathon".
std::string normalize_title(std::string_view title);

}  // namespace aimi::goals
