#include <gtest/gtest.h>

#include "domain/goals/goal_graph.hpp"
#include "projections/versioned_cache.hpp"

namespace aimi {
namespace {

goals::GoalGraph graph_with(const std::string& goal_id) {
    goals::GoalGraph g;
    g.put_goal(goals::GoalNode{goal_id, goals::GoalStatus::active, "", {}});
    return g;
}

TEST(VersionedCache, OnlyCommittedGraphsAreServedAndOnlyForTheirStreamVersion) {
    VersionedCache<goals::GoalGraph> cache(2);
    cache.stage("u1", 5, graph_with("g1"));
    EXPECT_FALSE(cache.take("u1", 5)) << "not committed yet";
    cache.abandon();
    cache.commit();
    EXPECT_FALSE(cache.take("u1", 5)) << "abandoned";

    cache.stage("u1", 5, graph_with("g1"));
    cache.commit();
    EXPECT_FALSE(cache.take("u1", 6)) << "another version is another graph";
    EXPECT_FALSE(cache.take("u1", 5)) << "a mismatch evicts the entry";

    cache.stage("u1", 7, graph_with("g1"));
    cache.commit();
    auto taken = cache.take("u1", 7);
    ASSERT_TRUE(taken);
    EXPECT_TRUE(taken->goal("g1"));
    EXPECT_FALSE(cache.take("u1", 7)) << "taken out until staged again";
}

TEST(VersionedCache, KeepsTheMostRecentlyCommittedUsersUpToItsCapacity) {
    VersionedCache<goals::GoalGraph> cache(2);
    for (const auto* user : {"a", "b", "c"}) {
        cache.stage(user, 1, graph_with("g"));
        cache.commit();
    }
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_FALSE(cache.take("a", 1));
    EXPECT_TRUE(cache.take("c", 1));
}

}  // namespace
}  // namespace aimi
