#pragma once

#include <string>

#include "gateway/goals_read_model.hpp"

namespace aimi::gateway {

//! The goals DAG as Graphviz DOT text (`format=dot`): one node per goal with its title and status
//! (blocked ones red), one edge per dependency labelled by type (associative ones dashed). Strings
//! are DOT-quoted: quotes and backslashes escaped, newlines as \n.
std::string goal_graph_dot(const goals_read_model::Graph& graph);

}  // namespace aimi::gateway
