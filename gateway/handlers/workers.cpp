#include <chrono>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/pg/connection.hpp"
#include "projections/registry.hpp"
#include "projections/serving_schemas.hpp"

namespace aimi::gateway::handlers {

namespace bj = boost::json;

namespace {

struct Group {
    std::string kind;  // "projection" or "worker"
    std::string name;
    std::string id;
};

//! Every consumer group of this deployment: one per projection, named after the schema it is
//! served from (a rebuilt read model's projectors write the rebuild's schema), one per worker kind.
std::vector<Group> deployment_groups(const Call& call) {
    const auto& main_schema = call.gateway.settings.pg_schema;
    std::map<std::string, std::string> serving;
    {
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        serving = load_serving_schemas(tx, main_schema);
    }
    std::vector<Group> groups;
    for (const auto& spec : registered_projections()) {
        const auto it = serving.find(spec.name);
        groups.push_back({"projection", spec.name,
                          kafka::projection_group_id(spec.name, it == serving.end() ? main_schema : it->second)});
    }
    for (const auto* worker : {"reminder-dispatcher", "assistant", "embedder", "summarizer"})
        groups.push_back({"worker", worker, kafka::worker_group_id(worker, main_schema)});
    return groups;
}

}  // namespace

//! GET /v1/admin/workers — the worker instances behind each projection and worker (their consumer
//! groups' members, as the broker sees them) and the partitions each owns; admins only.
Reply list_workers(const Call& call) {
    if (auto p = require_admin(call, "worker instances are for admins")) return fail(call, *p);
    if (!call.gateway.groups)
        return fail(call, {ProblemKind::unavailable, "kafka_unavailable", "this gateway cannot ask Kafka", ""});
    const auto groups = deployment_groups(call);
    std::vector<std::string> ids;
    for (const auto& g : groups) ids.push_back(g.id);
    std::vector<kafka::GroupDescription> described;
    try {
        described = call.gateway.groups->describe(ids, std::chrono::milliseconds(3000));
    } catch (const std::runtime_error& e) {
        spdlog::warn("GET /v1/admin/workers: {}", e.what());
        return fail(call, {ProblemKind::unavailable, "kafka_unavailable", e.what(), ""});
    }
    bj::array items;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        bj::array instances;
        for (const auto& m : described[i].members) {
            bj::array partitions;
            for (const auto& [topic, partition] : m.partitions)
                partitions.push_back(bj::object{{"topic", topic}, {"partition", partition}});
            instances.push_back(bj::object{{"client_id", m.client_id},
                                           {"consumer_id", m.consumer_id},
                                           {"host", m.host},
                                           {"partitions", std::move(partitions)}});
        }
        items.push_back(
            bj::object{{"kind", groups[i].kind},
                       {"name", groups[i].name},
                       {"group_id", groups[i].id},
                       {"state", described[i].state},
                       {"error", described[i].error.empty() ? bj::value(nullptr) : bj::value(described[i].error)},
                       {"instances", std::move(instances)}});
    }
    return json_response(200, bj::object{{"items", std::move(items)}});
}

}  // namespace aimi::gateway::handlers
