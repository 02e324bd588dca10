#include "projections/derived/fact_projection.hpp"

#include <set>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"

#include "projections/dead_letters.hpp"

namespace aimi {

FactsConsumer::FactsConsumer(std::unique_ptr<FactProjection> inner, std::string intake_topic,
                             const privacy::KeyLookup& keys)
    : inner_(std::move(inner)), intake_topic_(std::move(intake_topic)), keys_(keys) {}

void FactsConsumer::apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records, BatchOffsets& offsets) {
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
        // Locked by the batch applier: the intake topic is tracked, partition for partition.
        const TopicPartition origin{intake_topic_, fact->origin.partition};
        // A copy (same origin) or an older fact: the first of each origin was applied already.
        if (fact->origin.offset < offsets.next(origin)) continue;
        offsets.advance(origin, fact->origin.offset + 1);
        fresh.push_back(std::move(fact).value());
    }
    if (!fresh.empty()) inner_->apply(tx, fresh);
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
