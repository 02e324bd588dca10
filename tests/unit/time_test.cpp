// Unit tests for domain/time: RFC 3339 formatting and parsing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/time.hpp"

namespace {

using aimi::format_timestamp;
using aimi::from_micros;
using aimi::parse_timestamp;
using aimi::Timestamp;
using aimi::to_micros;

constexpr std::int64_t kSecond = 1'000'000;

// 2024-01-01T00:00:00Z
constexpr std::int64_t k2024 = 1'704'067'200 * kSecond;

TEST(Time, FormatsUtcWithSixFractionalDigits) {
    EXPECT_EQ(format_timestamp(from_micros(0)), "1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(format_timestamp(from_micros(k2024)), "2024-01-01T00:00:00.000000Z");
    EXPECT_EQ(format_timestamp(from_micros(k2024 + 1)), "2024-01-01T00:00:00.000001Z");
    EXPECT_EQ(format_timestamp(from_micros(k2024 - 1)), "2023-12-31T23:59:59.999999Z");
    EXPECT_EQ(format_timestamp(from_micros(-1)), "1969-12-31T23:59:59.999999Z");
    // 2024-02-29T13:14:15.123456Z (leap day)
    EXPECT_EQ(format_timestamp(from_micros(k2024 + (59LL * 86400 + 13 * 3600 + 14 * 60 + 15) * kSecond + 123456)),
              "2024-02-29T13:14:15.123456Z");
}

TEST(Time, FormatThenParseRoundTrips) {
    const std::vector<std::int64_t> instants = {0,
                                                1,
                                                -1,
                                                k2024,
                                                k2024 + 123456,
                                                k2024 + 59LL * 86400 * kSecond + 999999,
                                                253402300799LL * kSecond + 999999,  // 9999-12-31T23:59:59.999999Z
                                                to_micros(aimi::now_utc())};
    for (const auto us : instants) {
        SCOPED_TRACE(us);
        const auto text = format_timestamp(from_micros(us));
        const auto parsed = parse_timestamp(text);
        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(to_micros(*parsed), us) << text;
    }
}

TEST(Time, NowIsRecentAndMicrosecondPrecise) {
    const auto now = aimi::now_utc();
    EXPECT_GT(to_micros(now), k2024);
    EXPECT_EQ(from_micros(to_micros(now)), now);
}

TEST(Time, ParsesOffsetsToUtc) {
    struct Case {
        const char* text;
        std::int64_t micros;
    };
    const std::vector<Case> cases = {
        {"2024-01-01T00:00:00Z", k2024},
        {"2024-01-01T00:00:00z", k2024},
        {"2024-01-01t00:00:00Z", k2024},
        {"2024-01-01 00:00:00Z", k2024},
        {"2024-01-01T00:00:00+00:00", k2024},
        {"2024-01-01T00:00:00-00:00", k2024},
        {"2024-01-01T02:00:00+02:00", k2024},
        {"2023-12-31T18:30:00-05:30", k2024},
        {"2024-01-01T05:45:00+05:45", k2024},
        {"2024-01-01T00:00:00+23:59", k2024 - (23 * 3600 + 59 * 60) * kSecond},
        {"2024-01-01T00:00:00-05:30", k2024 + (5 * 3600 + 30 * 60) * kSecond},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = parse_timestamp(c.text);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(to_micros(*parsed), c.micros);
    }
}

TEST(Time, FractionalSecondsAcceptZeroToNineDigitsAndTruncateBeyondSix) {
    struct Case {
        const char* text;
        std::int64_t micros;  //!< after k2024
    };
    const std::vector<Case> cases = {
        {"2024-01-01T00:00:00Z", 0},
        {"2024-01-01T00:00:00.1Z", 100000},
        {"2024-01-01T00:00:00.12Z", 120000},
        {"2024-01-01T00:00:00.123Z", 123000},
        {"2024-01-01T00:00:00.1234Z", 123400},
        {"2024-01-01T00:00:00.12345Z", 123450},
        {"2024-01-01T00:00:00.123456Z", 123456},
        {"2024-01-01T00:00:00.1234567Z", 123456},
        {"2024-01-01T00:00:00.12345678Z", 123456},
        {"2024-01-01T00:00:00.123456789Z", 123456},
        {"2024-01-01T00:00:00.999999999Z", 999999},  // truncated, never rounded into the next second
        {"2024-01-01T00:00:00.000001Z", 1},
        {"2024-01-01T00:00:00.5+01:00", 500000 - 3600 * kSecond},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = parse_timestamp(c.text);
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(to_micros(*parsed) - k2024, c.micros);
    }
}

TEST(Time, AcceptsCalendarEdges) {
    EXPECT_TRUE(parse_timestamp("2024-02-29T00:00:00Z"));  // leap year
    EXPECT_TRUE(parse_timestamp("2000-02-29T00:00:00Z"));  // divisible by 400
    EXPECT_TRUE(parse_timestamp("2023-12-31T23:59:59Z"));
    EXPECT_TRUE(parse_timestamp("0001-01-01T00:00:00Z"));
    // A leap second is accepted and folded into :59 (sys_time has no leap seconds).
    const auto leap = parse_timestamp("2016-12-31T23:59:60Z");
    ASSERT_TRUE(leap.has_value());
    EXPECT_EQ(*leap, *parse_timestamp("2016-12-31T23:59:59Z"));
}

TEST(Time, RejectsMalformedTimestamps) {
    const std::vector<std::string> bad = {
        "",
        "2024",
        "2024-01-01",
        "2024-01-01T00:00Z",                // no seconds
        "2024-01-01T00:00:00",              // missing zone
        "2024-01-01T00:00:00.123",          // missing zone after fraction
        "2024-13-01T00:00:00Z",             // month 13
        "2024-00-01T00:00:00Z",             // month 0
        "2024-01-00T00:00:00Z",             // day 0
        "2024-01-32T00:00:00Z",             // day 32
        "2024-02-30T00:00:00Z",             // Feb 30
        "2023-02-29T00:00:00Z",             // not a leap year
        "1900-02-29T00:00:00Z",             // divisible by 100, not by 400
        "2024-04-31T00:00:00Z",             // April has 30 days
        "2024-01-01T24:00:00Z",             // hour 24
        "2024-01-01T00:60:00Z",             // minute 60
        "2024-01-01T00:00:61Z",             // second 61
        "2024-01-01T00:00:00Zjunk",         // trailing junk
        "2024-01-01T00:00:00Z ",            // trailing space
        " 2024-01-01T00:00:00Z",            // leading space
        "2024-01-01T00:00:00+01:00Z",       // zone twice
        "2024-01-01T00:00:00.Z",            // dot without digits
        "2024-01-01T00:00:00.1234567890Z",  // ten fractional digits
        "2024-01-01T00:00:00+0100",         // offset without colon
        "2024-01-01T00:00:00+01",           // offset without minutes
        "2024-01-01T00:00:00+01:0",         // short offset minutes
        "2024-01-01T00:00:00+24:00",        // offset hour 24
        "2024-01-01T00:00:00+01:60",        // offset minute 60
        "2024-01-01T00:00:00+01:00:00",     // offset with seconds
        "2024-01-01X00:00:00Z",             // bad separator
        "2024/01/01T00:00:00Z",             // bad date separator
        "2024-01-01T00-00-00Z",             // bad time separator
        "24-01-01T00:00:00Z",               // two-digit year
        "+2024-01-01T00:00:00Z",            // sign
        "2024-1-01T00:00:00Z",              // one-digit month
        "2024-01-01T0:00:00Z",              // one-digit hour
        "2024-0a-01T00:00:00Z",             // non-digit
        "2024-01-01T00:00:00 Z",            // space before zone
        "2024-01-01T00:00:00.12a3Z",        // junk in fraction
    };
    for (const auto& text : bad) {
        SCOPED_TRACE("'" + text + "'");
        EXPECT_FALSE(parse_timestamp(text).has_value());
    }
}

}  // namespace
