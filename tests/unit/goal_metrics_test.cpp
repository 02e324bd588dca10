#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "domain/goals/graph_metrics.hpp"

namespace aimi::goals {
namespace {

TEST(GoalMetrics, MatchARecursiveReferenceOnRandomDags) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        std::mt19937 rng(seed);
        const int n = 40;
        auto id = [](int i) { return "g" + std::to_string(100 + i); };  // same-length ids: order = index
        Dag dag;
        std::map<std::string, GoalFacts> goals;
        std::vector<std::pair<std::string, std::string>> blocking;
        std::vector<std::vector<int>> parents(n), children(n);
        for (int i = 0; i < n; ++i) goals[id(i)] = GoalFacts{rng() % 4 != 0, static_cast<std::int64_t>(rng() % 10)};
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < j; ++i)
                if (rng() % 12 == 0) {  // i before j: acyclic by construction
                    dag.add(id(i), id(j));
                    parents[j].push_back(i);
                    children[i].push_back(j);
                    if (rng() % 2) blocking.emplace_back(id(i), id(j));
                }
        const auto metrics = compute_metrics(dag, goals, blocking);
        const auto open = [&](int i) { return goals[id(i)].open; };
        std::function<int(int)> level = [&](int i) {
            int l = 0;
            if (open(i))
                for (int p : parents[i])
                    if (open(p)) l = std::max(l, level(p) + 1);
            return l;
        };
        std::function<std::int64_t(int)> critical = [&](int i) -> std::int64_t {
            if (!open(i)) return 0;
            std::int64_t best = 0;
            for (int p : parents[i])
                if (open(p)) best = std::max(best, critical(p));
            return goals[id(i)].estimated_days + best;
        };
        for (int i = 0; i < n; ++i) {
            std::set<int> below;
            std::function<void(int)> walk = [&](int at) {
                for (int c : children[at])
                    if (below.insert(c).second) walk(c);
            };
            walk(i);
            int open_below = 0;
            for (int c : below) open_below += open(c);
            int unblocks = 0;
            for (int d = 0; d < n; ++d) {
                if (!open(d)) continue;
                std::vector<int> open_blockers;
                for (const auto& [p, c] : blocking)
                    if (c == id(d) && goals[p].open) open_blockers.push_back(std::stoi(p.substr(1)) - 100);
                if (open_blockers.size() == 1 && open_blockers[0] == i && open(i)) ++unblocks;
            }
            const auto& m = metrics.at(id(i));
            ASSERT_EQ(m.level, level(i)) << seed << " " << i;
            ASSERT_EQ(m.critical_days, critical(i)) << seed << " " << i;
            int open_children = 0;
            for (int c : children[i]) open_children += open(c);
            ASSERT_EQ(m.open_children, open_children) << seed << " " << i;
            (void)open_below;
            ASSERT_EQ(m.would_unblock, unblocks) << seed << " " << i;
            if (m.critical_via)
                ASSERT_EQ(critical(std::stoi(m.critical_via->substr(1)) - 100) + goals[id(i)].estimated_days,
                          m.critical_days);
        }
    }
}

}  // namespace
}  // namespace aimi::goals
