// The OpenAPI document and the route table describe the same API: no route without a
// description, no description without a route; and every reference in it resolves.
#include <gtest/gtest.h>

#include <set>

#include <boost/json/parse.hpp>

#include "gateway/dispatcher.hpp"
#include "gateway/openapi_document.hpp"

namespace {

using aimi::gateway::openapi_document;
using aimi::gateway::openapi_operations;

TEST(OpenApi, DescribesExactlyTheRoutesTheGatewayServes) {
    const auto operations = openapi_operations();
    const std::set<std::pair<std::string, std::string>> described(operations.begin(), operations.end());
    // Each described operation is a route with exactly that pattern.
    for (const auto& [method, path] : described) {
        const auto routes = aimi::gateway::make_routes();
        auto match = routes.match(method, path);
        const auto* m = std::get_if<aimi::gateway::Router<aimi::gateway::Route>::Match>(&match);
        ASSERT_NE(m, nullptr) << method << " " << path << " is described but not served";
        EXPECT_EQ(m->target->pattern, path) << method << " " << path;
    }
    // And each route is described.
    EXPECT_EQ(aimi::gateway::route_patterns().size(), described.size()) << "a route has no description";
    for (const auto& route : aimi::gateway::route_patterns())
        EXPECT_TRUE(described.contains(route)) << route.first << " " << route.second << " is not described";
}

void collect_refs(const boost::json::value& v, std::set<std::string>& refs) {
    if (v.is_object()) {
        for (const auto& [k, child] : v.as_object()) {
            if (k == "$ref" && child.is_string()) refs.insert(std::string(child.as_string()));
            collect_refs(child, refs);
        }
    } else if (v.is_array()) {
        for (const auto& child : v.as_array()) collect_refs(child, refs);
    }
}

TEST(OpenApi, EveryReferenceResolvesAndRequestBodiesAreTheCommandSchemas) {
    const auto doc = boost::json::parse(openapi_document());
    EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
    std::set<std::string> refs;
    collect_refs(doc, refs);
    ASSERT_FALSE(refs.empty());
    for (const auto& ref : refs) {
        ASSERT_TRUE(ref.starts_with("#/")) << ref;
        const boost::json::value* at = &doc;
        std::string rest = ref.substr(2);
        while (!rest.empty()) {
            const auto slash = rest.find('/');
            const auto part = rest.substr(0, slash);
            rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
            ASSERT_TRUE(at->is_object() && at->as_object().contains(part)) << ref << " does not resolve";
            at = &at->as_object().at(part);
        }
    }
    const auto& schemas = doc.at("components").at("schemas").as_object();
    EXPECT_TRUE(schemas.at("message.post.v1").as_object().contains("properties"));
    EXPECT_FALSE(schemas.at("message.post.v1").as_object().contains("$id"));
}

}  // namespace
