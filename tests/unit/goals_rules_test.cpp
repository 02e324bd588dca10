#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include <boost/json/serialize.hpp>

#include "domain/goals/rules.hpp"

namespace aimi::goals {
namespace {

GoalNode node(const std::string& id, std::string title = {}) {
    return GoalNode{id, GoalStatus::active, normalize_title(title.empty() ? id : title), {}};
}

Dependency dep(const std::string& id, const std::string& parent, const std::string& dependent,
               DependencyType type = DependencyType::requires_) {
    return Dependency{id, parent, dependent, type, 1};
}

class GoalRules : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const auto* id : {"a", "b", "c", "d", "e"}) ASSERT_FALSE(create_goal(graph_, node(id), false));
    }
    std::optional<Refusal> add(const std::string& id, const std::string& parent, const std::string& dependent,
                               DependencyType type = DependencyType::requires_) {
        return add_dependency(graph_, dep(id, parent, dependent, type), changes_);
    }
    std::string details(const Refusal& r) { return boost::json::serialize(r.details); }

    GoalGraph graph_;
    Changes changes_;
};

TEST_F(GoalRules, SelfDependencyCycleAndRedundancyAreRefusedNamingTheGoals) {
    auto r = add("x", "a", "a");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "self_dependency");
    EXPECT_EQ(r->field, "/dependent_goal_id");

    ASSERT_FALSE(add("ab", "a", "b"));
    ASSERT_FALSE(add("bc", "b", "c"));
    r = add("ca", "c", "a");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "dependency_cycle");
    EXPECT_EQ(details(*r), R"({"path":["a","b","c","a"]})");

    r = add("ac", "a", "c");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "redundant_dependency");
    EXPECT_EQ(details(*r), R"({"path":["a","b","c"]})");

    // d -> a would make nothing redundant; e -> b with e -> a ... : a -> b exists, so x -> a with
    // x -> b existing makes x -> b redundant.
    ASSERT_FALSE(add("eb", "e", "b"));
    r = add("ea", "e", "a");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "makes_redundant");
    EXPECT_NE(details(*r).find(R"("dependency_id":"eb")"), std::string::npos) << details(*r);

    r = add("ab2", "b", "a", DependencyType::related);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "dependency_exists");
    EXPECT_TRUE(changes_.empty() || changes_.size() == 2);
}

TEST_F(GoalRules, AssociativeDependenciesNeitherOrderNorBlock) {
    ASSERT_FALSE(add("ab", "a", "b", DependencyType::related));
    ASSERT_FALSE(add("ba", "c", "b", DependencyType::parallel));
    EXPECT_FALSE(graph_.blocked("b"));
    EXPECT_EQ(graph_.dag().edge_count(), 0u);
    // Turning it into an ordering edge runs the DAG checks.
    ASSERT_FALSE(add("bc2", "b", "d"));
    ASSERT_FALSE(add("dc", "d", "c"));
    auto r = update_dependency(graph_, "ba", DependencyType::requires_, std::nullopt, changes_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "dependency_cycle");
}

TEST_F(GoalRules, AGoalUnblocksWhenItsLastRequiredPrerequisiteIsDoneAndReblocksOnReopen) {
    ASSERT_FALSE(add("ac", "a", "c"));
    ASSERT_EQ(changes_.size(), 1u);
    EXPECT_TRUE(changes_[0].blocked);
    EXPECT_EQ(changes_[0].goal_id, "c");
    ASSERT_FALSE(add("bc", "b", "c", DependencyType::blocks));
    EXPECT_EQ(changes_.size(), 1u) << "already blocked";
    EXPECT_EQ(graph_.blocking_parents("c"), (std::vector<std::string>{"a", "b"}));

    bool changed = false;
    auto r = change_status(graph_, "c", GoalStatus::done, changed, changes_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "goal_blocked");

    changes_.clear();
    ASSERT_FALSE(change_status(graph_, "a", GoalStatus::done, changed, changes_));
    EXPECT_TRUE(changes_.empty()) << "b still blocks c";
    ASSERT_FALSE(change_status(graph_, "b", GoalStatus::cancelled, changed, changes_));
    ASSERT_EQ(changes_.size(), 1u);
    EXPECT_FALSE(changes_[0].blocked);
    EXPECT_EQ(changes_[0].caused_by_goal_id, "b");

    changes_.clear();
    ASSERT_FALSE(change_status(graph_, "a", GoalStatus::active, changed, changes_));
    ASSERT_EQ(changes_.size(), 1u);
    EXPECT_TRUE(changes_[0].blocked);
    EXPECT_EQ(changes_[0].blocking_goal_ids, (std::vector<std::string>{"a"}));

    // enables orders but does not block.
    changes_.clear();
    ASSERT_FALSE(add("de", "d", "e", DependencyType::enables));
    EXPECT_TRUE(changes_.empty());
    EXPECT_FALSE(graph_.blocked("e"));
}

TEST_F(GoalRules, StatusTransitionsAndArchivedGoals) {
    bool changed = false;
    ASSERT_FALSE(change_status(graph_, "a", GoalStatus::archived, changed, changes_));
    EXPECT_TRUE(changed);
    auto r = change_status(graph_, "a", GoalStatus::done, changed, changes_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "invalid_transition");
    r = add("ab", "a", "b");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "goal_archived");
    EXPECT_EQ(check_updatable(graph_, "a")->code, "goal_archived");
    ASSERT_FALSE(change_status(graph_, "b", GoalStatus::active, changed, changes_));
    EXPECT_FALSE(changed) << "already active";
    EXPECT_EQ(add("xz", "a", "zz")->code, "goal_not_found");
}

TEST(GoalTitles, NormalizedTitlesFindExactDuplicates) {
    EXPECT_EQ(normalize_title("  Run a   Marathon! "), "run a marathon");
    EXPECT_EQ(normalize_title("ÉCOLE\tÀ Paris."), "école à paris");
    EXPECT_EQ(normalize_title("Выучить  Английский"), "выучить английский");
    GoalGraph graph;
    ASSERT_FALSE(create_goal(graph, node("g1", "Run a marathon"), false));
    auto r = create_goal(graph, node("g2", "run A marathon!!"), false);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, "duplicate_goal");
    EXPECT_FALSE(create_goal(graph, node("g3", "run A marathon!!"), true));
}

// ---- randomized, against a straightforward reference ----------------------------------------

struct Reference {
    int n = 0;
    std::map<std::string, Dependency> deps;
    std::vector<GoalStatus> status;

    static int idx(const std::string& id) { return std::stoi(id.substr(1)); }
    std::vector<std::vector<bool>> reach(const std::string* skip = nullptr) const {
        std::vector<std::vector<bool>> r(n, std::vector<bool>(n, false));
        for (const auto& [id, d] : deps)
            if (orders(d.type) && (!skip || id != *skip)) r[idx(d.parent_goal_id)][idx(d.dependent_goal_id)] = true;
        for (int k = 0; k < n; ++k)
            for (int i = 0; i < n; ++i)
                if (r[i][k])
                    for (int j = 0; j < n; ++j)
                        if (r[k][j]) r[i][j] = true;
        return r;
    }
    bool blocked(int g) const {
        if (status[g] != GoalStatus::active) return false;
        for (const auto& [id, d] : deps)
            if (idx(d.dependent_goal_id) == g && blocks_until_finished(d.type) &&
                status[idx(d.parent_goal_id)] == GoalStatus::active)
                return true;
        return false;
    }
    //! The refusal code adding d must give, or "" when it must be accepted.
    std::string expected_add(const Dependency& d) const {
        const int p = idx(d.parent_goal_id), c = idx(d.dependent_goal_id);
        if (p == c) return "self_dependency";
        if (status[p] == GoalStatus::archived || status[c] == GoalStatus::archived) return "goal_archived";
        for (const auto& [id, e] : deps)
            if ((e.parent_goal_id == d.parent_goal_id && e.dependent_goal_id == d.dependent_goal_id) ||
                (e.parent_goal_id == d.dependent_goal_id && e.dependent_goal_id == d.parent_goal_id))
                return "dependency_exists";
        if (!orders(d.type)) return "";
        const auto r = reach();
        if (r[c][p]) return "dependency_cycle";
        if (r[p][c]) return "redundant_dependency";
        for (const auto& [id, e] : deps) {
            if (!orders(e.type)) continue;
            const int x = idx(e.parent_goal_id), y = idx(e.dependent_goal_id);
            if ((x == p || r[x][p]) && (y == c || r[c][y])) return "makes_redundant";
        }
        return "";
    }
};

void expect_invariants(const GoalGraph& graph, const Reference& ref, int step) {
    // Acyclic and transitively reduced: no ordering edge has another path beside it.
    const auto r = ref.reach();
    for (int i = 0; i < ref.n; ++i) ASSERT_FALSE(r[i][i]) << "cycle through g" << i << " at step " << step;
    for (const auto& [id, d] : ref.deps) {
        if (!orders(d.type)) continue;
        const auto without = ref.reach(&id);
        ASSERT_FALSE(without[Reference::idx(d.parent_goal_id)][Reference::idx(d.dependent_goal_id)])
            << "redundant edge " << id << " at step " << step;
    }
    ASSERT_EQ(graph.dependencies().size(), ref.deps.size()) << step;
    for (int g = 0; g < ref.n; ++g) {
        const auto id = "g" + std::to_string(g);
        ASSERT_EQ(graph.goal(id)->status, ref.status[g]) << id << " at step " << step;
        ASSERT_EQ(graph.blocked(id), ref.blocked(g)) << id << " at step " << step;
    }
}

TEST(GoalRulesProperty, RandomOperationsKeepTheDagReducedAndBlockedStatusExact) {
    for (const unsigned seed : {1u, 2u, 3u}) {
        std::mt19937 rng(seed);
        constexpr int kGoals = 24;
        GoalGraph graph;
        Reference ref;
        ref.n = kGoals;
        for (int g = 0; g < kGoals; ++g) {
            ASSERT_FALSE(create_goal(graph, node("g" + std::to_string(g)), false));
            ref.status.push_back(GoalStatus::active);
        }
        const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        int next_dep = 0, refused = 0, accepted = 0;
        for (int step = 0; step < 4000; ++step) {
            std::vector<bool> blocked_before(kGoals);
            for (int g = 0; g < kGoals; ++g) blocked_before[g] = ref.blocked(g);
            std::vector<GoalStatus> status_before = ref.status;
            const auto deps_before = ref.deps;
            Changes changes;
            const int op = pick(10);
            const auto mark = graph.mark();
            if (op < 5) {
                const auto type = static_cast<DependencyType>(pick(op < 4 ? 3 : 5));
                const auto d = dep("d" + std::to_string(next_dep++), "g" + std::to_string(pick(kGoals)),
                                   "g" + std::to_string(pick(kGoals)), type);
                const auto expected = ref.expected_add(d);
                const auto refusal = add_dependency(graph, d, changes);
                ASSERT_EQ(refusal ? refusal->code : "", expected) << "step " << step;
                if (!refusal) ref.deps[d.id] = d;
                refusal ? ++refused : ++accepted;
            } else if (op < 7 && !ref.deps.empty()) {
                auto it = ref.deps.begin();
                std::advance(it, pick(static_cast<int>(ref.deps.size())));
                ASSERT_FALSE(remove_dependency(graph, it->first, changes));
                ref.deps.erase(it);
            } else {
                const int g = pick(kGoals);
                const auto to = static_cast<GoalStatus>(pick(4));
                bool changed = false;
                const auto refusal = change_status(graph, "g" + std::to_string(g), to, changed, changes);
                const auto from = ref.status[g];
                const bool allowed =
                    from == to || to == GoalStatus::active || to == GoalStatus::archived || from == GoalStatus::active;
                const bool blocked = to == GoalStatus::done && from == GoalStatus::active && ref.blocked(g);
                ASSERT_EQ(refusal.has_value(), !allowed || blocked) << "step " << step;
                if (!refusal) ref.status[g] = to;
            }
            // Exactly the goals whose blocked state changed while active are reported.
            std::set<std::string> reported;
            for (const auto& c : changes) {
                reported.insert(c.goal_id);
                EXPECT_EQ(c.blocked, ref.blocked(Reference::idx(c.goal_id)));
            }
            for (int g = 0; g < kGoals; ++g) {
                const bool expect = ref.status[g] == GoalStatus::active && ref.blocked(g) != blocked_before[g];
                ASSERT_EQ(reported.contains("g" + std::to_string(g)), expect) << "g" << g << " step " << step;
            }
            ASSERT_NO_FATAL_FAILURE(expect_invariants(graph, ref, step));
            // Now and then the batch is rolled back: the graph must be exactly as before.
            if (pick(8) == 0) {
                graph.undo_to(mark);
                ASSERT_EQ(std::vector<GoalStatus>(status_before), [&] {
                    std::vector<GoalStatus> s;
                    for (int g = 0; g < kGoals; ++g) s.push_back(graph.goal("g" + std::to_string(g))->status);
                    return s;
                }());
                ref.status = status_before;
                ref.deps = deps_before;
                std::set<std::string> ids;
                for (const auto& [id, d] : graph.dependencies()) ids.insert(id);
                std::set<std::string> expected_ids;
                for (const auto& [id, d] : deps_before) expected_ids.insert(id);
                ASSERT_EQ(ids, expected_ids) << "step " << step;
                ASSERT_EQ(graph.dag().edge_count(),
                          static_cast<std::size_t>(std::count_if(deps_before.begin(), deps_before.end(),
                                                                 [](const auto& e) { return orders(e.second.type); })));
                ASSERT_NO_FATAL_FAILURE(expect_invariants(graph, ref, step));
            }
            graph.forget_undo();
        }
        EXPECT_GT(accepted, 100);
        EXPECT_GT(refused, 100);
    }
}

}  // namespace
}  // namespace aimi::goals

namespace aimi::goals {
namespace {

TEST(GoalRulesScale, ATenThousandGoalChainRefusesTheClosingEdgeWithTheWholePath) {
    constexpr int kGoals = 10'000;
    GoalGraph graph;
    Changes changes;
    for (int i = 0; i < kGoals; ++i) {
        ASSERT_FALSE(create_goal(graph, node("g" + std::to_string(i)), false));
        if (i > 0)
            ASSERT_FALSE(add_dependency(
                graph, dep("d" + std::to_string(i), "g" + std::to_string(i - 1), "g" + std::to_string(i)), changes));
    }
    graph.forget_undo();
    const auto refusal = add_dependency(graph, dep("close", "g9999", "g0"), changes);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->code, "dependency_cycle");
    EXPECT_EQ(refusal->details.at("path").as_array().size(), static_cast<std::size_t>(kGoals + 1));
    EXPECT_EQ(graph.dag().ancestors("g9999").size(), static_cast<std::size_t>(kGoals - 1));
    EXPECT_EQ(add_dependency(graph, dep("skip", "g0", "g2"), changes)->code, "redundant_dependency");
}

}  // namespace
}  // namespace aimi::goals

#include "domain/goals/entities.hpp"

namespace aimi::goals {
namespace {

TEST(Habits, FrequenciesAreRrulesLibicalAccepts) {
    for (const auto* good : {"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,WE,FR", "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12",
                             "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"})
        EXPECT_TRUE(valid_rrule(good)) << good;
    for (const auto* bad : {"", "daily", "FREQ=SOMETIMES", "BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX", "RRULE:"})
        EXPECT_FALSE(valid_rrule(bad)) << bad;
}

TEST(Links, EachTypeJoinsTheKindsItNames) {
    EXPECT_TRUE(link_allowed("supports_goal", "task", "goal"));
    EXPECT_TRUE(link_allowed("supports_goal", "problem", "goal"));
    EXPECT_FALSE(link_allowed("supports_goal", "goal", "task"));
    EXPECT_TRUE(link_allowed("addresses_problem", "goal", "problem"));
    EXPECT_FALSE(link_allowed("addresses_problem", "problem", "problem"));
    EXPECT_TRUE(link_allowed("depends_on", "task", "goal"));
    EXPECT_FALSE(link_allowed("blocks", "problem", "task"));
    EXPECT_TRUE(link_allowed("related", "problem", "task"));
    EXPECT_FALSE(link_allowed("friends_with", "task", "task"));
}

}  // namespace
}  // namespace aimi::goals
