#pragma once

#include <string>

#include "gateway/goals_read_model.hpp"

namespace aimi::gateway {

//! The goals DAG as SVG, laid out by Graphviz's dot through its C API (libgvc, no subprocess):
//! one box per goal (`id="goal-<uuid>"`), filled by state — blocked red, done green, cancelled and
//! archived grey, active white —, ordering dependencies solid and associative ones dashed, and
//! the critical path (the chain ending at the active goal with the most critical days) drawn bold
//! in blue. Titles are attribute values, never DOT or markup: Graphviz writes them as escaped
//! XML text. Graphviz is not thread-safe; calls are serialized.
std::string goal_graph_svg(const goals_read_model::Graph& graph);

}  // namespace aimi::gateway
