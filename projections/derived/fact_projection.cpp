#include "projections/derived/fact_projection.hpp"

#include <map>
#include <set>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"

#include "projections/batch_applier.hpp"
#include "projections/dead_letters.hpp"

namespace aimi {

FactsConsumer::FactsConsumer(std::unique_ptr<FactProjection> inner, std::string intake_topic,
                             const privacy::KeyLookup& keys)
    : inner_(std::move(inner)), intake_topic_(std::move(intake_topic)), keys_(keys) {}

void FactsConsumer::apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records) {
    std::map<std::int32_t, std::int64_t> next_origin;  // intake partition -> next origin offset to apply
    std::vector<facts::Fact> fresh;
    fresh.reserve(records.size());
    for (const auto& record : records) {
        auto fact = facts::decode(record.value, &keys_);
        if (!fact) {
            record_dead_letter(tx, inner_->name(), record, fact.problem().message + " at " + fact.problem().field);
            continue;
        }
        if (fact->origin.topic != intake_topic_ || fact->origin.partition != record.partition) {
            record_dead_letter(
                tx, inner_->name(), record,
                fmt::format("fact of {}[{}] on facts partition {}; expected intake topic {}", fact->origin.topic,
                            fact->origin.partition, record.partition, intake_topic_));
            continue;
        }
        const auto partition = fact->origin.partition;
        if (!next_origin.contains(partition))
            next_origin[partition] = lock_offset(tx, inner_->name(), intake_topic_, partition);
        auto& next = next_origin[partition];
        // A copy (same origin) or an older fact: the first of each origin was applied already.
        if (fact->origin.offset < next) continue;
        next = fact->origin.offset + 1;
        fresh.push_back(std::move(fact).value());
    }
    if (!fresh.empty()) inner_->apply(tx, fresh);
    for (const auto& [partition, next] : next_origin) store_offset(tx, inner_->name(), intake_topic_, partition, next);
}

std::string ids_json(const std::set<std::string>& ids) {
    boost::json::array out;
    for (const auto& id : ids) out.push_back(boost::json::value(id));
    return json::serialize(out);
}

std::string applied_users_json(std::span<const facts::Fact> facts) {
    std::set<std::string> users;
    for (const auto& fact : facts)
        if (fact.applied()) users.insert(fact.user_id);
    return users.empty() ? std::string() : ids_json(users);
}

}  // namespace aimi
