#include "gateway/goal_graph_dot.hpp"

#include <fmt/format.h>

#include "domain/goals/model.hpp"

namespace aimi::gateway {

namespace {

std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '\r') continue;
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string goal_graph_dot(const goals_read_model::Graph& graph) {
    std::string dot = "digraph goals {\n  rankdir=LR;\n";
    for (const auto& [id, g] : graph.goals)
        dot += fmt::format("  {} [label={}, status={}{}];\n", quoted(id), quoted(g.title), quoted(g.status),
                           g.blocked ? ", color=red" : "");
    for (const auto& e : graph.edges) {
        const auto type = goals::dependency_type(e.type);
        dot += fmt::format("  {} -> {} [label={}{}];\n", quoted(e.parent), quoted(e.dependent), quoted(e.type),
                           type && goals::orders(*type) ? "" : ", style=dashed");
    }
    return dot + "}\n";
}

}  // namespace aimi::gateway
