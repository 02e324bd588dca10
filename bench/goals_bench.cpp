// The goals graph's rules and queries in memory at 10k goals and ~50k edges (issue 9): the
// validation the fold runs for each add-dependency, the snapshot walk behind a goal's
// prerequisites, and the read model's refresh after a change.
// Graph: 100 layers of 100 goals, each goal below the first layer with 5 parents in the layer
// above (edges only between adjacent layers: transitively reduced by construction).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "domain/goals/rules.hpp"
#include "projections/goals_graph/user_model.hpp"

namespace {

using namespace aimi::goals;

constexpr int kLayers = 100, kWidth = 100, kParents = 5;

std::string id(int layer, int i) {
    return "g" + std::to_string(layer * kWidth + i);
}

GoalGraph& layered_graph() {
    static GoalGraph graph = [] {
        GoalGraph g;
        std::mt19937 rng(42);
        Changes changes;
        for (int l = 0; l < kLayers; ++l)
            for (int i = 0; i < kWidth; ++i) g.put_goal(GoalNode{id(l, i), GoalStatus::active, "", {}});
        int next = 0;
        for (int l = 1; l < kLayers; ++l)
            for (int i = 0; i < kWidth; ++i) {
                std::vector<int> parents(kWidth);
                std::iota(parents.begin(), parents.end(), 0);
                std::shuffle(parents.begin(), parents.end(), rng);
                for (int k = 0; k < kParents; ++k)
                    g.put_dependency(Dependency{"d" + std::to_string(next++), id(l - 1, parents[k]), id(l, i),
                                                DependencyType::requires_, 1});
            }
        g.forget_undo();
        return g;
    }();
    return graph;
}

//! Times each call and reports p50/p99 in microseconds beside Google Benchmark's mean.
template <class F>
void timed(benchmark::State& state, F f) {
    std::vector<double> us;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        f();
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(us.begin(), us.end());
    state.counters["p50_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

//! A random pair of goals, the lower one as parent half the time (accepted or redundant or
//! makes_redundant), the higher one otherwise (a cycle): every refusal path is exercised.
void BM_AddDependencyValidation(benchmark::State& state) {
    auto& graph = layered_graph();
    std::mt19937 rng(7);
    int n = 0;
    timed(state, [&] {
        const int a = static_cast<int>(rng() % kLayers), b = static_cast<int>(rng() % kLayers);
        const auto parent = id(a, static_cast<int>(rng() % kWidth));
        const auto child = id(b, static_cast<int>(rng() % kWidth));
        Changes changes;
        const auto mark = graph.mark();
        auto refusal = add_dependency(
            graph, Dependency{"x" + std::to_string(n++), parent, child, DependencyType::requires_, 1}, changes);
        benchmark::DoNotOptimize(refusal);
        graph.undo_to(mark);
    });
}

//! The read model's view of the layered graph.
aimi::goals_graph::UserModel layered_model() {
    aimi::goals_graph::UserModel model;
    const auto& graph = layered_graph();
    for (const auto& [goal_id, g] : graph.goals())
        model.put_goal(goal_id, {GoalStatus::active, static_cast<std::int64_t>(goal_id.size() % 7), false, {}});
    for (const auto& [dep_id, d] : graph.dependencies())
        model.put_edge(dep_id, {d.parent_goal_id, d.dependent_goal_id, d.type});
    model.refresh_metrics();
    return model;
}

//! What GET /v1/goals/{id} walks once the gateway holds the parsed snapshot.
void BM_PrerequisitesOfALastLayerGoal(benchmark::State& state) {
    const auto snapshot = aimi::goals_graph::SnapshotGraph::parse(layered_model().snapshot_json());
    int i = 0;
    timed(state, [&] {
        auto reached = snapshot.ancestors(*snapshot.index_of(id(kLayers - 1, i++ % kWidth)));
        benchmark::DoNotOptimize(reached);
    });
}

//! What the goals-graph projection does per batch that touches the user: a new leaf goal and its
//! dependency, then every goal's metrics recomputed (and diffed) and the snapshot written.
void BM_ReadModelRefreshAfterALeafIsAdded(benchmark::State& state) {
    auto model = layered_model();
    int n = 0;
    std::size_t bytes = 0;
    timed(state, [&] {
        const auto leaf = "leaf" + std::to_string(n);
        model.put_goal(leaf, {GoalStatus::active, 1, false, {}});
        model.put_edge("e" + std::to_string(n++), {id(kLayers - 1, n % kWidth), leaf, DependencyType::requires_});
        auto changed = model.refresh_metrics();
        benchmark::DoNotOptimize(changed);
        bytes = model.snapshot_json().size();
    });
    state.counters["snapshot_bytes"] = static_cast<double>(bytes);
}

}  // namespace

BENCHMARK(BM_ReadModelRefreshAfterALeafIsAdded)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddDependencyValidation)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PrerequisitesOfALastLayerGoal)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
