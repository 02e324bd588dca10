// aimi_fold_bench: in-memory cost per event of what the entity-store projection does to a record
// before it touches PostgreSQL (docs/benchmarks.md):
//   Decode             aimi::events::decode of a message.posted envelope (parse + schema checks + copy out)
//   DecodeAndFold/N    decode + aimi::conversation::fold of N message.posted batches for one chat, into a
//                      state prepared like the projection's load_state (a registered user and its chat)
//   FoldOnly/N         the fold alone over the same, already decoded, batches
// Baselines, same run, same bytes:
//   SimdjsonParse       bare simdjson DOM parse with a reused parser (the floor of any decode)
//   SimdjsonParseFresh  the same with a new parser per document (decode() constructs one per record)
// Every figure is items/s (one item = one record of one event). No timing is asserted.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include <simdjson.h>

#include "domain/conversation/fold.hpp"
#include "domain/events/envelope.hpp"
#include "domain/privacy/data_key.hpp"
#include "domain/uuid.hpp"

namespace {

using namespace aimi;

constexpr std::size_t kMaxBatch = 2000;  // AIMI_PROJECTOR_MAX_BATCH default

events::EventBatch make_batch(const std::string& user_id, Timestamp at, events::EventData data,
                              std::optional<std::int64_t> expected_version = std::nullopt) {
    events::EventBatch batch;
    batch.batch_id = new_uuid();
    batch.user_id = user_id;
    batch.expected_version = expected_version;
    batch.occurred_at = at;
    batch.request_id = new_uuid();
    batch.idempotency_key = "auto:" + batch.request_id;  // what the gateway sets without Idempotency-Key
    batch.request_hash = std::string(64, 'a');           // a sha256 hex, like the gateway's
    batch.causation_id = batch.request_id;
    batch.producer = "gateway@bench/1";
    batch.events.push_back(events::Event{new_uuid(), std::move(data)});
    return batch;
}

//! One user, one chat, kMaxBatch message.posted records for that chat (one second apart, so one
//! session), encoded exactly as the gateway appends them.
//! One user's data key, as the projector's key store would hand it out.
struct OneKey final : privacy::KeyLookup {
    privacy::DataKey key = privacy::random_key();
    std::optional<privacy::DataKey> key_of(const std::string&) const override { return key; }
};

struct Fixture {
    OneKey key;
    std::vector<std::string> sealed;  //!< the same records, personal fields sealed
    std::string user_id = new_uuid();
    std::string chat_id = new_uuid();
    conversation::EntityStoreState base;      //!< what load_state returns for these records
    std::vector<std::string> encoded;         //!< record values
    std::vector<events::EventBatch> decoded;  //!< the same, decoded
    std::size_t bytes = 0;

    Fixture() {
        const Timestamp t0 = now_utc();
        // Build the prepared state the way it came to be: register, create the chat, fold.
        conversation::fold(base,
                           make_batch(user_id, t0, events::UserRegistered{std::nullopt, "Bench", "UTC", "en", {}}, 0));
        conversation::fold(base, make_batch(user_id, t0, events::ChatCreated{chat_id, "bench", "aimi-rule-based", {}}));
        // ...then forget the bookkeeping a fresh load would not have (outcomes, dirty sets, keys of old batches).
        base.dirty_streams.clear();
        base.dirty_users.clear();
        base.dirty_chats.clear();
        base.outcomes.clear();
        base.taken_keys.clear();

        const std::string content =
            "I want to run a 10k in May, and sleep before 11pm on weekdays. Remind me on Sunday evenings.";
        for (std::size_t i = 0; i < kMaxBatch; ++i) {
            auto batch = make_batch(
                user_id, t0 + std::chrono::seconds(1 + i),
                events::MessagePosted{
                    new_uuid(), chat_id, "user", content, {}, "api", "c-" + std::to_string(i), new_uuid(), 1800});
            encoded.push_back(events::encode(batch));
            sealed.push_back(events::encode(batch, &key.key));
            bytes += encoded.back().size();
            decoded.push_back(std::move(batch));
        }
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

void BM_Decode(benchmark::State& state) {
    const auto& f = fixture();
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& value = f.encoded[i++ % f.encoded.size()];
        auto batch = events::decode(value);
        if (!batch) {
            state.SkipWithError(("decode failed: " + batch.problem().message).c_str());
            break;
        }
        bytes += value.size();
        benchmark::DoNotOptimize(batch);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

//! The same records with their personal fields (content, metadata) sealed: open + re-parse.
void BM_DecodeSealed(benchmark::State& state) {
    const auto& f = fixture();
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& value = f.sealed[i++ % f.sealed.size()];
        auto batch = events::decode(value, &f.key);
        if (!batch) {
            state.SkipWithError(("decode failed: " + batch.problem().message).c_str());
            break;
        }
        bytes += value.size();
        benchmark::DoNotOptimize(batch);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_EncodeSealed(benchmark::State& state) {
    const auto& f = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        auto value = events::encode(f.decoded[i++ % f.decoded.size()], &f.key.key);
        benchmark::DoNotOptimize(value);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_Encode(benchmark::State& state) {
    const auto& f = fixture();
    std::size_t i = 0;
    for (auto _ : state) {
        auto value = events::encode(f.decoded[i++ % f.decoded.size()]);
        benchmark::DoNotOptimize(value);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_SimdjsonParse(benchmark::State& state) {
    const auto& f = fixture();
    simdjson::dom::parser parser;
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& value = f.encoded[i++ % f.encoded.size()];
        simdjson::dom::element doc;
        if (parser.parse(value.data(), value.size(), true).get(doc)) {
            state.SkipWithError("simdjson parse failed");
            break;
        }
        bytes += value.size();
        benchmark::DoNotOptimize(doc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_SimdjsonParseFresh(benchmark::State& state) {
    const auto& f = fixture();
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& value = f.encoded[i++ % f.encoded.size()];
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        if (parser.parse(value.data(), value.size(), true).get(doc)) {
            state.SkipWithError("simdjson parse failed");
            break;
        }
        bytes += value.size();
        benchmark::DoNotOptimize(doc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

//! Checks once, outside the timed loop, that the fold applies every record (a benchmark of
//! rejections would measure the wrong path).
bool all_applied(const conversation::EntityStoreState& s, std::size_t n) {
    if (s.outcomes.size() != n || s.new_messages.size() != n) return false;
    for (const auto& o : s.outcomes)
        if (o.kind != conversation::Outcome::Kind::applied) return false;
    return true;
}

void BM_DecodeAndFold(benchmark::State& state) {
    const auto& f = fixture();
    const auto n = static_cast<std::size_t>(state.range(0));
    {
        auto check = f.base;
        for (std::size_t i = 0; i < n; ++i) conversation::fold(check, events::decode(f.encoded[i]).value());
        if (!all_applied(check, n)) {
            state.SkipWithError("fold did not apply every record");
            return;
        }
    }
    for (auto _ : state) {
        auto s = f.base;  // load_state's result for this batch of records
        for (std::size_t i = 0; i < n; ++i) {
            auto batch = events::decode(f.encoded[i]);
            conversation::fold(s, batch.value());
        }
        benchmark::DoNotOptimize(s.new_messages.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_FoldOnly(benchmark::State& state) {
    const auto& f = fixture();
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        auto s = f.base;
        for (std::size_t i = 0; i < n; ++i) conversation::fold(s, f.decoded[i]);
        benchmark::DoNotOptimize(s.new_messages.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

BENCHMARK(BM_SimdjsonParse);
BENCHMARK(BM_SimdjsonParseFresh);
BENCHMARK(BM_Decode);
BENCHMARK(BM_DecodeSealed);
BENCHMARK(BM_Encode);
BENCHMARK(BM_EncodeSealed);
BENCHMARK(BM_DecodeAndFold)->Arg(100)->Arg(static_cast<std::int64_t>(kMaxBatch))->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FoldOnly)->Arg(100)->Arg(static_cast<std::int64_t>(kMaxBatch))->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
