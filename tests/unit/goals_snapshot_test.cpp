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
    const auto snapshot = SnapshotGraph::parse(model.snapshot_json());
    EXPECT_EQ(snapshot.edge_count(), 2u);
    const auto c = snapshot.index_of("c");
    ASSERT_TRUE(c);
    const auto before_c = snapshot.ancestors(*c);
    ASSERT_EQ(before_c.size(), 2u);
    EXPECT_EQ(snapshot.id(before_c[1].index), "a");
    EXPECT_EQ(before_c[1].depth, 2);
    EXPECT_EQ(snapshot.status(*snapshot.index_of("a")), "done");
    EXPECT_TRUE(snapshot.blocked(*c));
    EXPECT_FALSE(snapshot.index_of("zz"));
    EXPECT_THROW(SnapshotGraph::parse(R"({"ids":["a"],"status":"a","blocked":"0","edges":[0,5]})"), std::runtime_error);

    EXPECT_EQ(model.refresh_metrics().size(), 3u) << "a holds b up; b holds c up; c is a level after b";
    EXPECT_EQ(model.goals().at("a").metrics.open_children, 1);
    EXPECT_EQ(model.goals().at("c").metrics.level, 1);
    EXPECT_TRUE(model.refresh_metrics().empty()) << "nothing changed since";
}

}  // namespace
}  // namespace aimi::goals_graph
