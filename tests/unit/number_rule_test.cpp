// The number rule (domain/json/number_rule.hpp) and the streaming scan that applies it to text
// (domain/json/text_scan.hpp): which literals are kept exactly, and where a refusal points.
#include <gtest/gtest.h>

#include <simdjson.h>
#include <boost/json/serialize.hpp>

#include "domain/json/number_rule.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/json/text_scan.hpp"

namespace {

using aimi::json::audit_text;
using aimi::json::number_refusal;
using aimi::json::parse_exact;
using aimi::json::parse_value;
using aimi::json::same_decimal_value;

TEST(NumberRule, KeepsIntegersWithin64Bits) {
    for (const char* n : {"0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                          "18446744073709551615"})
        EXPECT_FALSE(number_refusal(n)) << n;
}

TEST(NumberRule, RefusesIntegerLiteralsBeyond64BitsThatADoubleCannotHold) {
    // 2^64 is a double, but the double is written back as 18446744073709552000 (its shortest
    // digits, as JavaScript writes it): another value.
    for (const char* n : {"18446744073709551616", "-9223372036854775809", "123456789012345678901234567890"})
        EXPECT_TRUE(number_refusal(n)) << n;
}

TEST(NumberRule, KeepsIntegerLiteralsBeyond64BitsThatAreDoubles) {
    // JavaScript's JSON.stringify(1e20) and Swift's JSONSerialization write these.
    for (const char* n : {"100000000000000000000", "-18446744073709552000", "38488586521942110000", "1e22"})
        EXPECT_FALSE(number_refusal(n)) << n;
}

TEST(NumberRule, KeepsEveryDoubleSpelledWithoutExtraDigits) {
    for (const char* n :
         {"0.1", "1e20", "-1e20", "1.5e300", "0.30000000000000004", "1E2", "1.0", "1.50", "-0.0", "0e999", "5e-324",
          "2.2250738585072014e-308", "1.7976931348623157e308", "123456.789", "1e-7", "100.000"})
        EXPECT_FALSE(number_refusal(n)) << n;
}

TEST(NumberRule, RefusesWhatADoubleCannotHoldExactly) {
    for (const char* n : {"1e400", "-1e400", "1.8e308", "1e-400", "2e-325", "3e-324", "3.14159265358979323846",
                          "0.1000000000000000000001", "1e99999999999999999999", "9007199254740993.0"})
        EXPECT_TRUE(number_refusal(n)) << n;
}

TEST(NumberRule, ComparesDecimalValuesNotSpellings) {
    EXPECT_TRUE(same_decimal_value("1e2", "100"));
    EXPECT_TRUE(same_decimal_value("100.00", "1E+2"));
    EXPECT_TRUE(same_decimal_value("-0", "0.0"));
    EXPECT_TRUE(same_decimal_value("0.0015", "1.5e-3"));
    EXPECT_FALSE(same_decimal_value("1e2", "1e3"));
    EXPECT_FALSE(same_decimal_value("-1", "1"));
    EXPECT_FALSE(same_decimal_value("1.", "1"));
}

TEST(TextScan, NamesThePointerOfTheNumberItRefuses) {
    const auto p = audit_text(R"({"a":[1,{"b/c":2,"d":18446744073709551617}]})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->code, "out_of_range");
    EXPECT_EQ(p->field, "/a/1/d");
    const auto q = audit_text(R"({"settings":{"x~y":[0.1,1e400]}})");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->field, "/settings/x~0y/1");
    EXPECT_EQ(audit_text("1e400")->field, "/");
}

TEST(TextScan, RefusesNestingPastTheLimitAtTheFirstContainerTooDeep) {
    std::string text;
    for (int i = 0; i < 64; ++i) text += "[";
    for (int i = 0; i < 64; ++i) text += "]";
    EXPECT_FALSE(audit_text(text));
    const auto p = audit_text("{\"m\":" + text + "}");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->code, "too_deep");
    EXPECT_EQ(
        p->field, "/m" + std::string("/0") + [] {
            std::string s;
            for (int i = 0; i < 62; ++i) s += "/0";
            return s;
        }());
}

TEST(JsonParse, RefusesALoneSurrogateEscapeWithItsPointer) {
    for (const char* body : {R"({"a":"ok","b":["x","\ud800"]})", R"({"a":"ok","b":["x","\udc01x"]})"}) {
        const auto parsed = aimi::json::parse(body);
        ASSERT_FALSE(parsed) << body;
        EXPECT_EQ(parsed.problem().code, "invalid_value") << body;
        EXPECT_EQ(parsed.problem().field, "/b/1") << body;
    }
}

TEST(JsonParse, RefusesBigIntegersAsOutOfRangeWithTheirPointer) {
    for (const char* body : {R"({"settings":{"n":18446744073709551616}})", R"({"settings":{"n":1e400}})",
                             R"({"settings":{"n":-9223372036854775809}})"}) {
        const auto parsed = aimi::json::parse(body);
        ASSERT_FALSE(parsed) << body;
        EXPECT_EQ(parsed.problem().code, "out_of_range") << body;
        EXPECT_EQ(parsed.problem().field, "/settings/n") << body;
    }
}

TEST(JsonParse, TakesIntegerLiteralsBeyond64BitsThatAreDoublesAsDoubles) {
    const auto parsed = aimi::json::parse_value(R"({"settings":{"n":100000000000000000000,"m":[1e20]}})");
    ASSERT_TRUE(parsed) << parsed.problem().message;
    EXPECT_EQ(parsed.value().at("settings").at("n").as_double(), 1e20);
    const auto repeated = aimi::json::parse(R"({"a":{"n":100000000000000000000,"n":1}})");
    ASSERT_TRUE(repeated);  // duplicate names are the codec's check (find_duplicate_key)
    EXPECT_TRUE(aimi::json::find_duplicate_key(repeated.value()));
}

TEST(JsonParse, ReadsBackWhatPostgresqlPrintsForLargeAndTinyDoubles) {
    // jsonb prints the double 1e20 as 100000000000000000000 and 5e-324 with 323 zeros.
    const auto big = parse_value(R"({"n":100000000000000000000,"m":-150000000000000000000000})");
    ASSERT_TRUE(big) << big.problem().message;
    EXPECT_EQ(big.value().at("n").as_double(), 1e20);
    EXPECT_EQ(big.value().at("m").as_double(), -1.5e23);
    const std::string tiny = "0." + std::string(323, '0') + "5";
    const auto small = parse_exact("[" + tiny + "," +
                                   "179769313486231570000000000000000000000000000000000000000000000"
                                   "000000000000000000000000000000000000000000000000000000000000000"
                                   "000000000000000000000000000000000000000000000000000000000000000"
                                   "000000000000000000000000000000000000000000000000000000000000000"
                                   "000000000000000000000000000000000000000000000000000000000]");
    ASSERT_TRUE(small) << small.problem().message;
    EXPECT_EQ(small.value().as_array().at(0).as_double(), 5e-324);
    EXPECT_EQ(small.value().as_array().at(1).as_double(), 1.7976931348623157e308);
}

}  // namespace

namespace {

TEST(JsonSerialize, WritesDoublesWithTheirShortestDigitsAndKeepsThemDoubles) {
    const auto serialize = [](const boost::json::value& v) { return aimi::json::serialize(v); };
    const std::vector<std::pair<double, const char*>> cases = {
        {0.1, "0.1"},
        {1e20, "100000000000000000000.0"},
        {1e21, "1e+21"},
        {3.8488586521942112e17, "384885865219421100.0"},  // shortest digits: 3.848858652194211e17
        {18446744073709551616.0, "18446744073709552000.0"},
        {-2.5e-8, "-2.5e-08"},
        {1.5e-7, "1.5e-07"},
        {0.00012, "0.00012"},
        {5e-324, "5e-324"},
        {-0.0, "-0.0"},
        {123.456, "123.456"},
        {100.0, "100.0"}};
    for (const auto& [value, text] : cases) EXPECT_EQ(serialize(boost::json::value(value)), text) << text;
    EXPECT_EQ(serialize(boost::json::value(std::int64_t{-9223372036854775807 - 1})), "-9223372036854775808");
    EXPECT_EQ(serialize(boost::json::value(std::uint64_t{18446744073709551615ULL})), "18446744073709551615");
    EXPECT_EQ(serialize(boost::json::value("a\"\\\n\x01é")), "\"a\\\"\\\\\\n\\u0001é\"");
}

}  // namespace
