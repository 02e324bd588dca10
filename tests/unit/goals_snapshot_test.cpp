#include <gtest/gtest.h>

#include "projections/goals_graph/user_model.hpp"

namespace aimi::goals_graph {
namespace {

TEST(GoalsSnapshot, RoundTripsTheOrderingEdgesAndStatuses) {
    UserModel model;
    for (const auto* id : {"a", "b", "c"}) model.put_goal(id, UserModel::Goal{});
    model.goal("a")->status = goals::GoalStatus::done;
    model.goal("c")->blocked = true;
    model.put_edge("ab", {"a", "b", goals::DependencyType::requires_});
    model.put_edge("bc", {"b", "c", goals::DependencyType::enables});
    model.put_edge("ac", {"a", "c", goals::DependencyType::related});
    const auto snapshot = parse_snapshot(model.snapshot_json());
    EXPECT_EQ(snapshot.dag.edge_count(), 2u);
    const auto before_c = snapshot.dag.ancestors("c");
    ASSERT_EQ(before_c.size(), 2u);
    EXPECT_EQ(before_c[1], (goals::Reached{"a", 2}));
    EXPECT_EQ(snapshot.goals.at("a").first, "done");
    EXPECT_TRUE(snapshot.goals.at("c").second);
    EXPECT_EQ(model.refresh_metrics().size(), 3u) << "a holds b and c up; b holds c up; c is a level after b";
    EXPECT_EQ(model.goals().at("a").metrics.open_dependents, 2);
    EXPECT_EQ(model.goals().at("c").metrics.level, 1);
    EXPECT_TRUE(model.refresh_metrics().empty()) << "nothing changed since";
}

}  // namespace
}  // namespace aimi::goals_graph
