#include "projections/entity_store/entity_store_projection.hpp"

#include <pqxx/pqxx>

#include "domain/conversation/decided_fact.hpp"
#include "domain/conversation/fold.hpp"
#include "domain/events/envelope.hpp"
#include "projections/dead_letters.hpp"
#include "projections/entity_store/change_writer.hpp"
#include "projections/entity_store/state_loader.hpp"
#include "projections/facts/fact_outbox.hpp"

namespace aimi::entity_store {

namespace {
facts::Origin origin_of(const LogRecord& record) {
    return facts::Origin{record.topic, record.partition, record.offset};
}
}  // namespace

void EntityStoreProjection::apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records, BatchOffsets&) {
    std::vector<events::EventBatch> batches;
    std::vector<const LogRecord*> positions;
    std::vector<facts::Fact> decided;  // in record order: the relay publishes in origin order anyway
    std::vector<std::int64_t> decided_at;
    batches.reserve(records.size());
    positions.reserve(records.size());
    const auto refuse = [&](const LogRecord& record, const std::string& error) {
        record_dead_letter(tx, name_, record, error);
        if (!stage_facts_) return;
        decided.push_back(conversation::invalid_fact(origin_of(record), record.key, error));
        decided_at.push_back(record.timestamp_ms);
    };
    for (const auto& record : records) {
        auto decoded = events::decode(record.value, &keys_);
        if (!decoded) {
            refuse(record, decoded.problem().message + " at " + decoded.problem().field);
            continue;
        }
        if (decoded->user_id != record.key) {
            // The key decides the partition and so the stream's order; a mismatch would fork it.
            refuse(record, "record key does not match the envelope's user_id");
            continue;
        }
        batches.push_back(std::move(decoded).value());
        positions.push_back(&record);
    }

    if (!batches.empty()) {
        auto state =
            load_state(tx, conversation::plan_prefetch(batches),
                       [this](const std::string& user, std::int64_t version) { return graphs_.take(user, version); });
        const auto versions_before = state.stream_versions;
        for (std::size_t i = 0; i < batches.size(); ++i) {
            conversation::fold(state, batches[i]);
            if (!stage_facts_) continue;
            decided.push_back(
                conversation::decided_fact(batches[i], state.outcomes.back(), state, origin_of(*positions[i])));
            decided_at.push_back(positions[i]->timestamp_ms);
        }
        write_changes(tx, state, positions);
        for (auto& [user, graph] : state.goal_graphs) {
            if (state.erased_users.contains(user)) continue;
            const auto it = state.stream_versions.find(user);
            graph.forget_undo();
            graphs_.stage(user, it == state.stream_versions.end() ? 0 : it->second, std::move(graph));
        }
        // A user whose records here left the goals graph alone (a message, say) keeps the cached
        // graph, now valid at the new version: the next goals record (an assistant turn's, often)
        // need not load it again.
        for (const auto& [user, version] : state.stream_versions) {
            if (state.goal_graphs.contains(user) || state.erased_users.contains(user)) continue;
            const auto before = versions_before.find(user);
            if (before == versions_before.end() || before->second == version) continue;
            if (auto graph = graphs_.take(user, before->second)) graphs_.stage(user, version, std::move(*graph));
        }
    }
    if (stage_facts_) stage(tx, decided, decided_at);
}

void EntityStoreProjection::stage(pqxx::dbtransaction& tx, std::span<const facts::Fact> decided,
                                  std::span<const std::int64_t> timestamps) {
    std::vector<std::string> payloads;
    payloads.reserve(decided.size());
    for (const auto& fact : decided) {
        // Sealed with the user's key (created if the user has none yet); an invalid record's key
        // is no user, and an erased user's fields are empty already.
        std::optional<privacy::DataKey> key;
        if (fact.outcome != "invalid") key = keys_.get_or_create(fact.user_id);
        payloads.push_back(facts::encode(fact, key ? &*key : nullptr));
    }
    facts::stage(tx, decided, payloads, timestamps);
}

void EntityStoreProjection::on_dead_letter(pqxx::dbtransaction& tx, const LogRecord& record, const std::string& error) {
    if (!stage_facts_) return;
    const facts::Fact fact = conversation::invalid_fact(origin_of(record), record.key, error);
    stage(tx, std::span<const facts::Fact>(&fact, 1), std::span<const std::int64_t>(&record.timestamp_ms, 1));
}

}  // namespace aimi::entity_store
