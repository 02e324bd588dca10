// The goals graph drawn by the gateway (GET /v1/goals/graph?format=svg): Graphviz's dot layout
// and SVG rendering through its C API, beside writing the same graph as DOT text (format=dot), the
// baseline: what a client that draws for itself costs the server.
// Graph: layers of 10 goals, each goal below the first requiring 2 goals of the layer above; the
// second layer onwards blocked, as in a real plan; a critical chain through the first column.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "gateway/goal_graph_dot.hpp"
#include "gateway/goal_graph_svg.hpp"

namespace {

using aimi::gateway::goals_read_model::Graph;

std::string id(int n) {
    return "00000000-0000-4000-8000-" + std::to_string(100000000000 + n);
}

Graph layered(int goals) {
    constexpr int kWidth = 10;
    Graph graph;
    std::mt19937 rng(7);
    for (int n = 0; n < goals; ++n) {
        Graph::Goal g;
        g.title = "Goal number " + std::to_string(n) + " with a title of ordinary length";
        g.status = "active";
        g.blocked = n >= kWidth;
        g.critical_days = n / kWidth;
        if (n >= kWidth && n % kWidth == 0) g.critical_via = id(n - kWidth);
        graph.goals.emplace(id(n), std::move(g));
    }
    int edge = 0;
    for (int n = kWidth; n < goals; ++n) {
        const int layer_start = (n / kWidth - 1) * kWidth;
        const int first = n % kWidth, second = (first + 1 + static_cast<int>(rng() % (kWidth - 1))) % kWidth;
        for (const int parent : {first, second})
            graph.edges.push_back({"e" + std::to_string(edge++), id(layer_start + parent), id(n), "requires", 1});
    }
    return graph;
}

//! Writes or draws the graph of state.range(0) goals with `draw`; reports the output's size.
void BM_GoalGraph(benchmark::State& state, std::string (*draw)(const Graph&)) {
    const auto graph = layered(static_cast<int>(state.range(0)));
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto text = draw(graph);
        bytes = text.size();
        benchmark::DoNotOptimize(text);
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

}  // namespace

//! The same plan sizes for both formats, side by side.
static void plan_sizes(benchmark::internal::Benchmark* b) {
    for (const int goals : {3, 30, 100, 300}) b->Arg(goals);
    b->Unit(benchmark::kMicrosecond);
}

BENCHMARK_CAPTURE(BM_GoalGraph, Dot, aimi::gateway::goal_graph_dot)->Apply(plan_sizes);
BENCHMARK_CAPTURE(BM_GoalGraph, Svg, aimi::gateway::goal_graph_svg)->Apply(plan_sizes);
BENCHMARK_MAIN();
