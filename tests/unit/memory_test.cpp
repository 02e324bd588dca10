// Pure parts of memory: roll-up periods on the user's calendar (DST days), the vector codec, exact
// nearest neighbours and rank fusion, and the emotion vocabulary the check-in schema accepts.
#include <gtest/gtest.h>

#include <random>

#include <simdjson.h>

#include "domain/embedded_file.hpp"
#include "domain/memory/emotions.hpp"
#include "domain/memory/recall.hpp"
#include "domain/memory/roll_up.hpp"
#include "domain/memory/vector_codec.hpp"
#include "domain/time.hpp"

namespace aimi_schemas {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}

namespace aimi::memory {
namespace {

std::string schema_text(std::string_view name) {
    for (const auto& f : aimi_schemas::embedded_files())
        if (f.name == name) return std::string(f.contents);
    return "";
}

Timestamp at(const char* text) {
    return *parse_timestamp(text);
}

TEST(RollUp, ADayWhenTheClocksSpringForwardIs23Hours) {
    // Berlin springs forward on 2026-03-29 at 02:00 local.
    const auto periods = roll_up_periods(at("2026-03-29T18:00:00Z"), "Europe/Berlin");
    ASSERT_EQ(periods.size(), 2u);
    EXPECT_EQ(periods[0].scope, "daily:2026-03-29");
    EXPECT_EQ(format_timestamp(periods[0].start), "2026-03-28T23:00:00.000000Z");
    EXPECT_EQ(format_timestamp(periods[0].end), "2026-03-29T22:00:00.000000Z");
    EXPECT_EQ(periods[0].end - periods[0].start, std::chrono::hours(23));
    EXPECT_EQ(periods[1].scope, "weekly:2026-03-23");
    EXPECT_EQ(periods[1].end - periods[1].start, std::chrono::hours(7 * 24 - 1));
}

TEST(RollUp, ADayWhenTheClocksFallBackIs25HoursAndLocalDatesFollowTheZone) {
    // New York falls back on 2026-11-01; 03:30Z is still 31 October there.
    auto periods = roll_up_periods(at("2026-11-01T03:30:00Z"), "America/New_York");
    EXPECT_EQ(periods[0].local_date, "2026-10-31");
    periods = roll_up_periods(at("2026-11-01T12:00:00Z"), "America/New_York");
    EXPECT_EQ(periods[0].local_date, "2026-11-01");
    EXPECT_EQ(periods[0].end - periods[0].start, std::chrono::hours(25));
    EXPECT_EQ(periods[1].local_date, "2026-10-26");  // the Monday
}

TEST(RollUp, AnUnknownZoneIsUtc) {
    const auto periods = roll_up_periods(at("2026-06-01T10:00:00Z"), "Mars/Olympus");
    EXPECT_EQ(format_timestamp(periods[0].start), "2026-06-01T00:00:00.000000Z");
}

TEST(VectorCodec, RoundTripsEveryFloatExactly) {
    std::mt19937 rng(7);
    for (const std::size_t dims : {1u, 2u, 3u, 64u, 384u}) {
        Vector v(dims);
        for (auto& x : v) {
            const auto bits = static_cast<std::uint32_t>(rng());
            std::memcpy(&x, &bits, sizeof x);
            if (std::isnan(x)) x = 0.5f;
        }
        const auto decoded = decode_vector(encode_vector(v), dims);
        ASSERT_TRUE(decoded);
        EXPECT_EQ(std::memcmp(decoded->data(), v.data(), dims * sizeof(float)), 0);
        EXPECT_FALSE(decode_vector(encode_vector(v), dims + 1));
    }
    EXPECT_FALSE(decode_vector("not base64!", 2));
}

TEST(Recall, NearestIsExactAndDeterministic) {
    VectorMatrix m{2, {1, 0, 0, 1, 0.6f, 0.8f, 0.8f, 0.6f, 1, 0}};
    const std::vector<float> q{1, 0};
    const auto all = nearest(m, q, 3, [](std::size_t) { return true; });
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].index, 0u);  // ties by index
    EXPECT_EQ(all[1].index, 4u);
    EXPECT_EQ(all[2].index, 3u);
    const auto filtered = nearest(m, q, 2, [](std::size_t i) { return i != 0; });
    EXPECT_EQ(filtered[0].index, 4u);
    EXPECT_TRUE(nearest(m, std::vector<float>{1, 0, 0}, 2, [](std::size_t) { return true; }).empty());
}

TEST(Recall, FusionRewardsBothListsAndRecency) {
    std::vector<Candidate> c{{"both", 2, 2, 10},
                             {"vector-only", 1, std::nullopt, 10},
                             {"text-only", std::nullopt, 1, 10},
                             {"text-only-new", std::nullopt, 1, 0}};
    fuse(c);
    EXPECT_EQ(c[0].key, "both");
    EXPECT_EQ(c[1].key, "text-only-new");
    EXPECT_DOUBLE_EQ(c[3].recency, c[2].recency);
    EXPECT_DOUBLE_EQ(c[1].recency, 1.0);
}

TEST(Emotions, TheCheckInSchemaAcceptsExactlyTheVocabulary) {
    for (const auto* file : {"commands/mental_state.create.v1.json", "events/mental_state.recorded.v1.json"}) {
        simdjson::dom::parser parser;
        const auto text = schema_text(file);
        const simdjson::dom::element schema = parser.parse(text);
        std::vector<std::string> listed;
        for (auto e : schema["properties"]["emotions"]["items"]["enum"].get_array())
            listed.emplace_back(std::string_view(e.get_string()));
        const std::vector<std::string> known(emotions().begin(), emotions().end());
        EXPECT_EQ(listed, known) << file;
    }
}

}  // namespace
}  // namespace aimi::memory
