// Property: for generated JSON (numbers of every magnitude and spelling, strings from every
// Unicode plane with random escapes, deep and wide objects), the gateway either refuses the body
// with a 400 naming a pointer, or the value survives decode -> decide -> envelope encode ->
// decode -> fold -> PostgreSQL row (jsonb modelled; the integration suite uses the real one)
// -> read back -> render unchanged. Seeded: AIMI_PROPERTY_SEED and AIMI_PROPERTY_CASES
// reproduce or widen a run.
#include <gtest/gtest.h>

#include <cstdlib>

#include <fmt/format.h>

#include "domain/conversation/commands.hpp"
#include "domain/conversation/decide.hpp"
#include "domain/conversation/fold.hpp"
#include "domain/conversation/resource_json.hpp"
#include "domain/events/envelope.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "tests/support/json_model.hpp"

namespace {

using namespace aimi;
using namespace aimi::conversation;
namespace model = aimi::testing::json_model;
namespace bj = boost::json;

const std::string kUser = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const std::string kChat = "c0000000-0000-4000-8000-000000000001";

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text ? std::strtoull(text, nullptr, 10) : fallback;
}

events::EventBatch batch_of(std::vector<events::EventData> data, int n) {
    events::EventBatch b;
    b.batch_id = fmt::format("b0000000-0000-4000-8000-{:012d}", n);
    b.user_id = kUser;
    b.occurred_at = now_utc();
    b.request_id = b.batch_id;
    b.idempotency_key = "key-" + b.batch_id;
    b.request_hash = "hash";
    b.causation_id = "property";
    b.producer = "property-test";
    int e = 0;
    for (auto& d : data)
        b.events.push_back({fmt::format("e0000000-0000-4000-8000-{:06d}{:06d}", n, ++e), std::move(d)});
    return b;
}

//! The write path and the read path of a message, as the processes run them, minus the wire.
class RoundTrip {
  public:
    RoundTrip() {
        fold(state_, batch_of({events::UserRegistered{std::nullopt, "Ann", "UTC", "en", {}}}, ++batches_));
        fold(state_, batch_of({events::ChatCreated{kChat, "t", "aimi-rule-based", {}}}, ++batches_));
        EXPECT_EQ(state_.outcomes.back().kind, Outcome::Kind::applied);
    }

    //! The rendered metadata of the stored message, or the Problem the gateway answered.
    Result<std::string> post(const std::string& body) {
        auto command = decode_post_message(kChat, body);
        if (!command) return command.problem();
        DecisionContext context;
        context.user_id = kUser;
        context.user = state_.users.at(kUser);
        context.chat = state_.chats.at(kChat);
        context.new_id = [this] { return fmt::format("d0000000-0000-4000-8000-{:012d}", ++ids_); };
        auto decision = decide(context, command.value());
        if (!decision) return decision.problem();

        // Gateway -> Kafka -> projector.
        const auto wire = events::encode(batch_of(std::move(decision->events), ++batches_));
        auto decoded = events::decode(wire);
        if (!decoded) throw std::runtime_error("own record does not decode: " + decoded.problem().message);
        state_.new_messages.clear();
        fold(state_, decoded.value());
        if (state_.outcomes.back().kind != Outcome::Kind::applied)
            throw std::runtime_error("fold did not apply: " + state_.outcomes.back().code);
        Message stored = state_.new_messages.at(0);

        // Projector -> PostgreSQL jsonb -> gateway: the row writer serializes with Boost.JSON,
        // jsonb keeps the decimal value and prints it plainly, the reader parses that text.
        const auto written = model::parse(json::serialize(stored.metadata));
        if (!written) throw std::runtime_error("writer produced invalid JSON");
        auto read = json::parse_value(model::jsonb_text(*written));
        if (!read || !read.value().is_object())
            throw std::runtime_error("stored jsonb does not read back: " +
                                     (read ? std::string("not an object") : read.problem().message));
        stored.metadata = std::move(read.value().as_object());
        return json::serialize(conversation::to_json(stored).at("metadata"));
    }

  private:
    EntityStoreState state_;
    int batches_ = 0;
    int ids_ = 0;
};

TEST(JsonRoundTripProperty, AcceptedMetadataReadsBackUnchangedAndRefusalsNameAPointer) {
    const auto seed = env_number("AIMI_PROPERTY_SEED", 20261202);
    const auto cases = env_number("AIMI_PROPERTY_CASES", 20000);
    model::Generator generator(seed);
    RoundTrip trip;
    std::map<std::string, int> refused_by_code;
    int accepted = 0;
    for (std::uint64_t i = 0; i < cases; ++i) {
        const auto doc = generator.object(/*base_depth=*/1);
        const std::string body = R"({"content":"x","metadata":)" + doc.text + "}";
        SCOPED_TRACE(fmt::format("seed {} case {}: {}", seed, i, body.substr(0, 2000)));
        const auto result = trip.post(body);
        if (!result) {
            const auto& p = result.problem();
            ASSERT_FALSE(doc.acceptable) << "refused an acceptable body: " << p.code << " " << p.message << " at "
                                         << p.field;
            ASSERT_EQ(p.kind, ProblemKind::invalid_input);
            ASSERT_TRUE(p.field.starts_with("/metadata")) << p.code << " names no pointer: '" << p.field << "'";
            ++refused_by_code[p.code];
            continue;
        }
        ASSERT_TRUE(doc.acceptable) << "accepted a body the rules refuse (" << doc.why_not << ")";
        const auto back = model::parse(result.value());
        ASSERT_TRUE(back.has_value());
        std::string where;
        ASSERT_TRUE(model::equivalent(doc.value, *back, &where)) << where << "\nread back: " << result.value();
        ++accepted;
    }
    // The generator must exercise both sides, and every kind of refusal.
    EXPECT_GT(accepted, static_cast<int>(cases / 4));
    for (const char* code : {"out_of_range", "too_deep", "invalid_value", "duplicate_field"})
        EXPECT_GT(refused_by_code[code], 0) << code;
    std::string summary;
    for (const auto& [code, n] : refused_by_code) summary += fmt::format(" {}={}", code, n);
    std::printf("seed %llu: %d accepted, refused:%s\n", static_cast<unsigned long long>(seed), accepted,
                summary.c_str());
}

}  // namespace
