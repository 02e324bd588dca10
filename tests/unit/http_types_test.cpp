// Unit tests for gateway/http/http_types: percent_decode and parse_query.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gateway/http/http_types.hpp"

namespace {

using aimi::http::parse_query;
using aimi::http::percent_decode;
using Query = std::map<std::string, std::string>;

TEST(PercentDecode, DecodesEscapesInEitherCase) {
    EXPECT_EQ(percent_decode("%41%42c", false), "ABc");
    EXPECT_EQ(percent_decode("a%2fb%2Fc", false), "a/b/c");
    EXPECT_EQ(percent_decode("%C3%A9t%C3%A9", false), "été");
    EXPECT_EQ(percent_decode("%25", false), "%");
    EXPECT_EQ(percent_decode("%2541", false), "%41") << "decodes once";
    EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
    EXPECT_EQ(percent_decode("", false), "");
    EXPECT_EQ(percent_decode("plain", true), "plain");
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
    EXPECT_EQ(percent_decode("a+b", false), "a+b");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
    EXPECT_EQ(percent_decode("a%2Bb", true), "a+b") << "an escaped plus stays a plus";
    EXPECT_EQ(percent_decode("a%20b", false), "a b");
}

TEST(PercentDecode, KeepsMalformedEscapesVerbatim) {
    EXPECT_EQ(percent_decode("%", false), "%");
    EXPECT_EQ(percent_decode("a%", false), "a%");
    EXPECT_EQ(percent_decode("%4", false), "%4");
    EXPECT_EQ(percent_decode("a%4", false), "a%4");
    EXPECT_EQ(percent_decode("%zz", false), "%zz");
    EXPECT_EQ(percent_decode("%4g", false), "%4g");
    EXPECT_EQ(percent_decode("%g4", false), "%g4");
    EXPECT_EQ(percent_decode("%%41", false), "%A");
    EXPECT_EQ(percent_decode("%+41", true), "% 41");
}

TEST(ParseQuery, SplitsAndDecodesPairs) {
    EXPECT_EQ(parse_query("a=1&b=x%20y"), (Query{{"a", "1"}, {"b", "x y"}}));
    EXPECT_EQ(parse_query("q=hello+world&limit=50"), (Query{{"q", "hello world"}, {"limit", "50"}}));
    EXPECT_EQ(parse_query("k%20ey=v%26al%3D"), (Query{{"k ey", "v&al="}}));
    EXPECT_EQ(parse_query("a=b=c"), (Query{{"a", "b=c"}}));
}

TEST(ParseQuery, LastValueWins) {
    EXPECT_EQ(parse_query("a=1&a=2&a=3"), (Query{{"a", "3"}}));
}

TEST(ParseQuery, HandlesEmptyPartsAndMissingValues) {
    EXPECT_EQ(parse_query(""), Query{});
    EXPECT_EQ(parse_query("&&"), Query{});
    EXPECT_EQ(parse_query("&a=1&&b=2&"), (Query{{"a", "1"}, {"b", "2"}}));
    EXPECT_EQ(parse_query("flag"), (Query{{"flag", ""}}));
    EXPECT_EQ(parse_query("a="), (Query{{"a", ""}}));
    EXPECT_EQ(parse_query("=v"), (Query{{"", "v"}}));
}

TEST(ParseQuery, KeepsMalformedEscapes) {
    EXPECT_EQ(parse_query("a=%zz&b=100%"), (Query{{"a", "%zz"}, {"b", "100%"}}));
}

TEST(Request, HeaderLooksUpLowerCaseNames) {
    aimi::http::Request request;
    request.headers = {{"idempotency-key", "k1"}};
    ASSERT_NE(request.header("idempotency-key"), nullptr);
    EXPECT_EQ(*request.header("idempotency-key"), "k1");
    EXPECT_EQ(request.header("authorization"), nullptr);
}

TEST(Response, DefaultsToJson200) {
    const aimi::http::Response response;
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_TRUE(response.headers.empty());
}

}  // namespace
