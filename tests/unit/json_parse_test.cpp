// Unit tests for domain/json/parse: malformed input and text no read model can store.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "domain/json/parse.hpp"

namespace {

using aimi::ProblemKind;

TEST(JsonParse, MalformedTextIsMalformedJson) {
    for (const std::string text : {"", "{", R"({"a":})", "[1,]", "{\"a\":\"\x01\"}"}) {
        SCOPED_TRACE(text);
        const auto parsed = aimi::json::parse(text);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.problem().code, "malformed_json");
        EXPECT_EQ(parsed.problem().kind, ProblemKind::invalid_input);
    }
}

TEST(JsonParse, NulCharacterAnywhereIsRejectedWithItsPointer) {
    struct Case {
        const char* text;
        const char* field;
    };
    const std::vector<Case> cases = {
        {R"("\u0000")", "/"},
        {R"({"content":"a\u0000b"})", "/content"},
        {R"({"metadata":{"tags":["ok","x\u0000"]}})", "/metadata/tags/1"},
        {R"({"metadata":{"k\u0000":1}})", R"(/metadata/k\u0000)"},  // a key: spelled as the escape
        {R"({"a/b":{"c~d":"\u0000"}})", "/a~1b/c~0d"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = aimi::json::parse(c.text);
        ASSERT_FALSE(parsed.ok());
        EXPECT_EQ(parsed.problem().code, "invalid_value");
        EXPECT_EQ(parsed.problem().kind, ProblemKind::invalid_input);
        EXPECT_NE(parsed.problem().message.find("U+0000"), std::string::npos);
        EXPECT_EQ(parsed.problem().field, c.field);
    }
}

TEST(JsonParse, EscapedBackslashBeforeU0000IsOrdinaryText) {
    // "\\u0000" is a backslash followed by the five characters u0000: storable, accepted.
    const auto parsed = aimi::json::parse(R"({"content":"C:\\u0000"})");
    ASSERT_TRUE(parsed.ok()) << parsed.problem().message;
    EXPECT_EQ(std::string_view(parsed.value()["content"].get_string().value()), "C:\\u0000");
}

TEST(JsonParse, OtherEscapedControlCharactersAreAccepted) {
    const auto parsed = aimi::json::parse(R"({"content":"tab\tbell\u0007end"})");
    ASSERT_TRUE(parsed.ok()) << parsed.problem().message;
}

}  // namespace

namespace {

std::optional<std::string> duplicate_in(const char* text) {
    const auto parsed = aimi::json::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return aimi::json::find_duplicate_key(parsed.value());
}

TEST(JsonDuplicateKeys, FoundAtAnyDepthWithThePointerOfTheRepeatedName) {
    EXPECT_EQ(duplicate_in(R"({"content":"a","role":"user","content":"b"})"), "/content");
    EXPECT_EQ(duplicate_in(R"({"metadata":{"x":1,"y":{"z":1,"z":2}}})"), "/metadata/y/z");
    EXPECT_EQ(duplicate_in(R"({"list":[{"a":1},{"b":1,"b":1}]})"), "/list/1/b");
    EXPECT_EQ(duplicate_in(R"({"a/b":1,"a/b":2})"), "/a~1b");
}

TEST(JsonDuplicateKeys, DistinctNamesAndScalarsHaveNone) {
    EXPECT_EQ(duplicate_in(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})"), std::nullopt);
    EXPECT_EQ(duplicate_in(R"([1,"x",null])"), std::nullopt);
    EXPECT_EQ(duplicate_in(R"({})"), std::nullopt);
}

}  // namespace
