// Unit tests for domain/schema: compile(), validate(), the named formats and the compiled-in registry.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/events/events.hpp"
#include "domain/json/parse.hpp"
#include "domain/schema/formats.hpp"
#include "domain/schema/schema.hpp"

namespace {

using aimi::Problem;
using aimi::ProblemKind;
namespace schema = aimi::schema;

std::string repeat(std::string_view unit, std::size_t n) {
    std::string out;
    out.reserve(unit.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += unit;
    return out;
}

//! Compiles `schema_text`, parses `value_text` and validates.
std::optional<Problem> check(const std::string& schema_text, const std::string& value_text) {
    const auto node = schema::compile("test", schema_text);
    auto parsed = aimi::json::parse(value_text);
    if (!parsed) {
        ADD_FAILURE() << "test value is not JSON: " << value_text;
        return std::nullopt;
    }
    return schema::validate(*node, parsed.value());
}

struct Case {
    const char* name;
    std::string schema;
    std::string value;
    std::string code;   //!< empty = valid
    std::string field;  //!< expected JSON pointer when invalid
};

void run(const std::vector<Case>& cases) {
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.name) + ": schema " + c.schema + " value " + c.value.substr(0, 80));
        const auto problem = check(c.schema, c.value);
        if (c.code.empty()) {
            EXPECT_FALSE(problem.has_value())
                << "unexpected " << problem->code << " at " << problem->field << ": " << problem->message;
            continue;
        }
        ASSERT_TRUE(problem.has_value()) << "expected " << c.code;
        EXPECT_EQ(problem->code, c.code) << problem->message;
        EXPECT_EQ(problem->field, c.field);
        EXPECT_EQ(problem->kind, ProblemKind::invalid_input);
        EXPECT_FALSE(problem->message.empty());
    }
}

TEST(Schema, TypeKeywordAcceptsMatchingAndRejectsOtherTypes) {
    run({
        {"string ok", R"({"type":"string"})", R"("x")", "", ""},
        {"string vs number", R"({"type":"string"})", "5", "invalid_type", "/"},
        {"string vs null", R"({"type":"string"})", "null", "invalid_type", "/"},
        {"integer ok", R"({"type":"integer"})", "-7", "", ""},
        {"integer ok (uint64)", R"({"type":"integer"})", "18446744073709551615", "", ""},
        {"integer vs fraction", R"({"type":"integer"})", "1.5", "invalid_type", "/"},
        {"number accepts integer", R"({"type":"number"})", "3", "", ""},
        {"number accepts double", R"({"type":"number"})", "3.25", "", ""},
        {"number vs string", R"({"type":"number"})", R"("3")", "invalid_type", "/"},
        {"boolean ok", R"({"type":"boolean"})", "false", "", ""},
        {"boolean vs string", R"({"type":"boolean"})", R"("true")", "invalid_type", "/"},
        {"object vs array", R"({"type":"object"})", "[]", "invalid_type", "/"},
        {"array vs object", R"({"type":"array"})", "{}", "invalid_type", "/"},
        {"null ok", R"({"type":"null"})", "null", "", ""},
        {"type list: null", R"({"type":["string","null"]})", "null", "", ""},
        {"type list: string", R"({"type":["string","null"]})", R"("a")", "", ""},
        {"type list: neither", R"({"type":["string","null"]})", "1", "invalid_type", "/"},
        {"no type = any", R"({})", R"({"a":[1,null]})", "", ""},
        {"nested property type", R"({"type":"object","properties":{"a":{"type":"integer"}}})", R"({"a":"x"})",
         "invalid_type", "/a"},
    });
}

TEST(Schema, RequiredAndAdditionalProperties) {
    const std::string closed =
        R"({"type":"object","additionalProperties":false,"required":["name"],
            "properties":{"name":{"type":"string"},"age":{"type":"integer"}}})";
    const std::string open = R"({"type":"object","required":["name"],"properties":{"name":{"type":"string"}}})";
    run({
        {"all present", closed, R"({"name":"a","age":3})", "", ""},
        {"optional absent", closed, R"({"name":"a"})", "", ""},
        {"required missing", closed, R"({"age":3})", "missing_field", "/name"},
        {"required missing (empty object)", closed, "{}", "missing_field", "/name"},
        {"unknown field rejected", closed, R"({"name":"a","extra":1})", "unknown_field", "/extra"},
        {"additionalProperties defaults to true", open, R"({"name":"a","extra":1})", "", ""},
        {"required null is present (type decides)", closed, R"({"name":null})", "invalid_type", "/name"},
    });
}

TEST(Schema, LengthLimitsCountCodePointsNotBytes) {
    const std::string max3 = R"({"type":"string","maxLength":3})";
    const std::string min2 = R"({"type":"string","minLength":2})";
    run({
        {"ascii at limit", max3, R"("abc")", "", ""},
        {"ascii over limit", max3, R"("abcd")", "too_long", "/"},
        {"2-byte chars at limit (6 bytes)", max3, R"("äöü")", "", ""},
        {"3-byte chars at limit (9 bytes)", max3, R"("日本語")", "", ""},
        {"4-byte chars at limit (12 bytes)", max3, R"("😀😀😀")", "", ""},
        {"4-byte chars over limit", max3, R"("😀😀😀😀")", "too_long", "/"},
        {"escaped code point counts once", max3, R"("\u00e9\u00e9\u00e9")", "", ""},
        {"under minimum", min2, R"("a")", "too_short", "/"},
        {"one 2-byte char is one character", min2, R"("é")", "too_short", "/"},
        {"empty under minimum", min2, R"("")", "too_short", "/"},
        {"at minimum", min2, R"("ab")", "", ""},
        {"length limits ignore non-strings", R"({"maxLength":1})", "12345", "", ""},
    });
    EXPECT_EQ(schema::utf8_length(""), 0u);
    EXPECT_EQ(schema::utf8_length("abc"), 3u);
    EXPECT_EQ(schema::utf8_length("\xC3\xA9"), 1u);          // é
    EXPECT_EQ(schema::utf8_length("\xE6\x97\xA5"), 1u);      // 日
    EXPECT_EQ(schema::utf8_length("\xF0\x9F\x98\x80"), 1u);  // 😀
}

TEST(Schema, EnumAndConstRejectOtherValuesAsInvalidValue) {
    run({
        {"enum member", R"({"type":"string","enum":["ios","android"]})", R"("ios")", "", ""},
        {"enum non-member", R"({"type":"string","enum":["ios","android"]})", R"("symbian")", "invalid_value", "/"},
        {"enum is case-sensitive", R"({"type":"string","enum":["ios"]})", R"("IOS")", "invalid_value", "/"},
        {"const equal", R"({"type":"string","const":"x"})", R"("x")", "", ""},
        {"const different", R"({"type":"string","const":"x"})", R"("y")", "invalid_value", "/"},
        {"nested enum", R"({"properties":{"p":{"enum":["a"]}}})", R"({"p":"b"})", "invalid_value", "/p"},
        // Without "type", a value of another type is still outside a list of strings (found by
        // the console's generated inputs: {"role": null} passed and reached the handler).
        {"untyped enum, null", R"({"properties":{"p":{"enum":["a"]}}})", R"({"p":null})", "invalid_value", "/p"},
        {"untyped enum, number", R"({"enum":["1"]})", "1", "invalid_value", "/"},
        {"untyped enum, array", R"({"enum":["a"]})", R"(["a"])", "invalid_value", "/"},
    });
}

TEST(Schema, FormatsAcceptValidAndRejectInvalidStrings) {
    const auto fmt = [](const char* f) { return std::string(R"({"type":"string","format":")") + f + "\"}"; };
    run({
        {"uuid lower", fmt("uuid"), R"("123e4567-e89b-42d3-a456-426614174000")", "", ""},
        {"uuid upper", fmt("uuid"), R"("123E4567-E89B-42D3-A456-426614174000")", "", ""},
        {"uuid no dashes", fmt("uuid"), R"("123e4567e89b42d3a456426614174000")", "invalid_format", "/"},
        {"uuid non-hex", fmt("uuid"), R"("123e4567-e89b-42d3-a456-42661417400g")", "invalid_format", "/"},
        {"uuid empty", fmt("uuid"), R"("")", "invalid_format", "/"},
        {"date-time Z", fmt("date-time"), R"("2024-02-29T12:00:00Z")", "", ""},
        {"date-time offset", fmt("date-time"), R"("2024-02-29T12:00:00.5+02:00")", "", ""},
        {"date-time bad month", fmt("date-time"), R"("2024-13-01T00:00:00Z")", "invalid_format", "/"},
        {"date-time no zone", fmt("date-time"), R"("2024-01-01T00:00:00")", "invalid_format", "/"},
        {"date-time date only", fmt("date-time"), R"("2024-01-01")", "invalid_format", "/"},
        {"email ok", fmt("email"), R"("ann@example.com")", "", ""},
        {"email subdomain", fmt("email"), R"("a.b+c@mail.example.co.uk")", "", ""},
        {"email no at", fmt("email"), R"("ann.example.com")", "invalid_format", "/"},
        {"email two ats", fmt("email"), R"("a@b@example.com")", "invalid_format", "/"},
        {"email empty local part", fmt("email"), R"("@example.com")", "invalid_format", "/"},
        {"email domain without dot", fmt("email"), R"("ann@localhost")", "invalid_format", "/"},
        {"email domain ends with dot", fmt("email"), R"("ann@example.")", "invalid_format", "/"},
        {"email domain starts with dot", fmt("email"), R"("ann@.com")", "invalid_format", "/"},
        {"email with space", fmt("email"), R"("an n@example.com")", "invalid_format", "/"},
        {"email with control char", fmt("email"), R"("ann\u0001@example.com")", "invalid_format", "/"},
        {"time-zone area/city", fmt("time-zone"), R"("Europe/Berlin")", "", ""},
        {"time-zone UTC", fmt("time-zone"), R"("UTC")", "", ""},
        {"time-zone Etc/GMT+3", fmt("time-zone"), R"("Etc/GMT+3")", "", ""},
        {"time-zone three parts", fmt("time-zone"), R"("America/Argentina/Buenos_Aires")", "", ""},
        {"time-zone empty segment", fmt("time-zone"), R"("Europe//Berlin")", "invalid_format", "/"},
        {"time-zone trailing slash", fmt("time-zone"), R"("Europe/")", "invalid_format", "/"},
        {"time-zone starts with digit", fmt("time-zone"), R"("1Europe/Berlin")", "invalid_format", "/"},
        {"time-zone with space", fmt("time-zone"), R"("Europe/New York")", "invalid_format", "/"},
        {"time-zone empty", fmt("time-zone"), R"("")", "invalid_format", "/"},
        {"time-zone over 64 chars", fmt("time-zone"), "\"" + repeat("A", 65) + "\"", "invalid_format", "/"},
        {"locale language", fmt("locale"), R"("en")", "", ""},
        {"locale language-region", fmt("locale"), R"("en-US")", "", ""},
        {"locale underscore", fmt("locale"), R"("pt_BR")", "", ""},
        {"locale script", fmt("locale"), R"("zh-Hant-TW")", "", ""},
        {"locale single letter", fmt("locale"), R"("e")", "invalid_format", "/"},
        {"locale starts with digit", fmt("locale"), R"("1a")", "invalid_format", "/"},
        {"locale empty subtag", fmt("locale"), R"("en--US")", "invalid_format", "/"},
        {"locale trailing dash", fmt("locale"), R"("en-")", "invalid_format", "/"},
        {"locale subtag over 8", fmt("locale"), R"("en-abcdefghi")", "invalid_format", "/"},
        {"locale punctuation", fmt("locale"), R"("en.US")", "invalid_format", "/"},
        {"format ignores non-strings", R"({"format":"uuid"})", "42", "", ""},
    });
}

TEST(Schema, MinimumAndMaximumAreInclusive) {
    const std::string range = R"({"type":"number","minimum":1,"maximum":10})";
    const std::string integer = R"({"type":"integer","minimum":0})";
    run({
        {"at minimum", range, "1", "", ""},
        {"at maximum", range, "10", "", ""},
        {"inside, double", range, "5.5", "", ""},
        {"below minimum", range, "0", "out_of_range", "/"},
        {"below minimum, double", range, "0.999", "out_of_range", "/"},
        {"above maximum", range, "11", "out_of_range", "/"},
        {"above maximum, double", range, "10.5", "out_of_range", "/"},
        {"negative below zero", integer, "-1", "out_of_range", "/"},
        {"uint64 above int64", integer, "18446744073709551615", "", ""},
        {"only minimum", R"({"minimum":5})", "1000000", "", ""},
        {"only maximum", R"({"maximum":5})", "-1000000", "", ""},
        {"nested", R"({"properties":{"n":{"maximum":1}}})", R"({"n":2})", "out_of_range", "/n"},
    });
}

TEST(Schema, ArrayItemsAndMaxItems) {
    const std::string strings = R"({"type":"array","maxItems":2,"items":{"type":"string"}})";
    run({
        {"empty", strings, "[]", "", ""},
        {"at limit", strings, R"(["a","b"])", "", ""},
        {"over limit", strings, R"(["a","b","c"])", "too_many_items", "/"},
        {"bad first item", strings, R"([1])", "invalid_type", "/0"},
        {"bad second item", strings, R"(["a",true])", "invalid_type", "/1"},
        {"no items keyword = any item", R"({"type":"array"})", R"([1,"a",null])", "", ""},
    });
}

TEST(Schema, MaxPropertiesCountsMembers) {
    const std::string schema = R"({"type":"object","maxProperties":2})";
    run({
        {"at limit", schema, R"({"a":1,"b":2})", "", ""},
        {"over limit", schema, R"({"a":1,"b":2,"c":3})", "too_many_properties", "/"},
        {"nested", R"({"properties":{"s":{"type":"object","maxProperties":0}}})", R"({"s":{"x":1}})",
         "too_many_properties", "/s"},
    });
}

TEST(Schema, FieldIsJsonPointerThroughObjectsAndArrays) {
    const std::string schema = R"({
        "type":"object",
        "properties":{"a":{"type":"object","properties":{"b":{"type":"array","items":{
            "type":"object","additionalProperties":false,"required":["c"],
            "properties":{"c":{"type":"string","maxLength":1}}}}}}}})";
    run({
        {"valid", schema, R"({"a":{"b":[{"c":"x"},{"c":"y"}]}})", "", ""},
        {"wrong type deep", schema, R"({"a":{"b":[{"c":"x"},{"c":1}]}})", "invalid_type", "/a/b/1/c"},
        {"too long deep", schema, R"({"a":{"b":[{"c":"xx"}]}})", "too_long", "/a/b/0/c"},
        {"missing deep", schema, R"({"a":{"b":[{"c":"x"},{"c":"x"},{}]}})", "missing_field", "/a/b/2/c"},
        {"unknown deep", schema, R"({"a":{"b":[{"c":"x","d":1}]}})", "unknown_field", "/a/b/0/d"},
        {"array itself wrong", schema, R"({"a":{"b":{}}})", "invalid_type", "/a/b"},
    });
}

TEST(Schema, FieldEscapesSlashAndTildePerRfc6901) {
    const std::string schema = R"({
        "type":"object","additionalProperties":false,"required":["a/b"],
        "properties":{"a/b":{"type":"string"},"m~n":{"type":"string"},"~1":{"type":"string"},
                      "o":{"type":"object","properties":{"x/y~z":{"type":"string"}}}}})";
    run({
        {"valid", schema, R"({"a/b":"v","m~n":"v","~1":"v"})", "", ""},
        {"slash escaped as ~1", schema, R"({"a/b":1})", "invalid_type", "/a~1b"},
        {"tilde escaped as ~0", schema, R"({"a/b":"v","m~n":1})", "invalid_type", "/m~0n"},
        {"literal ~1 becomes ~01", schema, R"({"a/b":"v","~1":1})", "invalid_type", "/~01"},
        {"missing field escaped", schema, R"({"m~n":"v"})", "missing_field", "/a~1b"},
        {"unknown field escaped", schema, R"({"a/b":"v","p/q~r":1})", "unknown_field", "/p~1q~0r"},
        {"nested key escaped", schema, R"({"a/b":"v","o":{"x/y~z":2}})", "invalid_type", "/o/x~1y~0z"},
    });
}

TEST(Schema, FirstViolationWinsAndRequiredIsCheckedBeforeMembers) {
    // Both a missing field and a bad member: the missing one is reported (required is checked first).
    const auto p =
        check(R"({"type":"object","required":["a"],"properties":{"a":{},"b":{"type":"string"}}})", R"({"b":1})");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->code, "missing_field");
    EXPECT_EQ(p->field, "/a");
}

TEST(SchemaCompile, IgnoresAnnotationKeywords) {
    EXPECT_NO_THROW(schema::compile("annotated", R"({"$schema":"x","$id":"y","title":"t","description":"d",
        "examples":[1],"$comment":"c","default":3,"type":"integer"})"));
}

TEST(SchemaCompile, RejectsUnsupportedSchemasWithInvalidArgument) {
    struct Bad {
        const char* name;
        const char* text;
        const char* mentions;  //!< a substring the error message must contain
    };
    const std::vector<Bad> cases = {
        {"unknown keyword", R"({"type":"string","pattern":"^a"})", "pattern"},
        {"unknown keyword nested", R"({"properties":{"inner":{"oneOf":[]}}})", "oneOf"},
        {"nested error names the path", R"({"properties":{"inner":{"oneOf":[]}}})", "/inner"},
        {"unknown format", R"({"type":"string","format":"ipv4"})", "ipv4"},
        {"schema-valued additionalProperties", R"({"additionalProperties":{"type":"string"}})", "additionalProperties"},
        {"type neither string nor array", R"({"type":5})", "type"},
        {"required without property schema", R"({"required":["a"],"properties":{}})", "a"},
        {"schema is not an object", R"(5)", "object"},
        {"items is not an object", R"({"items":true})", "object"},
        {"malformed JSON", R"({"type":)", "my-schema"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        try {
            (void)schema::compile("my-schema", c.text);
            ADD_FAILURE() << "compiled: " << c.text;
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(c.mentions), std::string::npos) << what;
            EXPECT_NE(what.find("my-schema"), std::string::npos) << what;
        }
    }
}

TEST(SchemaCompile, WrongTypedKeywordValueThrowsInvalidArgument) {
    for (const char* text : {R"({"minLength":"x"})", R"({"maximum":"x"})", R"({"enum":[1]})", R"({"type":[1]})",
                             R"({"properties":[]})", R"({"required":"a"})"}) {
        SCOPED_TRACE(text);
        EXPECT_THROW((void)schema::compile("typed", text), std::invalid_argument);
    }
}

TEST(SchemaRegistry, EveryCompiledInSchemaIsAvailable) {
    const auto names = schema::names();
    ASSERT_FALSE(names.empty());
    for (const auto name : names) {
        SCOPED_TRACE(std::string(name));
        EXPECT_NO_THROW((void)schema::get(name));
        EXPECT_TRUE(name.starts_with("commands/") || name.starts_with("events/") || name.starts_with("facts/"));
        EXPECT_TRUE(name.ends_with(".json"));
    }
    for (const char* expected :
         {"events/envelope.v1.json", "commands/chat.create.v1.json", "commands/device.register.v1.json",
          "commands/empty.v1.json", "commands/message.post.v1.json", "commands/user.register.v1.json",
          "commands/user.update.v1.json"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
    }
}

template <class... T>
std::vector<std::string> event_schema_names(std::variant<T...>*) {
    return {("events/" + std::string(T::kType) + ".v" + std::to_string(T::kVersion) + ".json")...};
}

TEST(SchemaRegistry, EveryEventTypeHasItsSchema) {
    for (const auto& name : event_schema_names(static_cast<aimi::events::EventData*>(nullptr))) {
        SCOPED_TRACE(name);
        EXPECT_NO_THROW((void)schema::get(name));
    }
}

TEST(SchemaRegistry, GetThrowsOutOfRangeForUnknownName) {
    EXPECT_THROW((void)schema::get("events/nope.v1.json"), std::out_of_range);
    EXPECT_THROW((void)schema::get(""), std::out_of_range);
    EXPECT_THROW((void)schema::get("envelope.v1.json"), std::out_of_range);
}

TEST(SchemaRegistry, ProjectSchemasEnforceTheirLimits) {
    // A spot check that the real schemas are wired: the message content limit is 32000 characters.
    const auto& post = schema::get("commands/message.post.v1.json");
    auto ok = aimi::json::parse("{\"content\":\"" + repeat("x", 32000) + "\"}");
    ASSERT_TRUE(ok.ok());
    EXPECT_FALSE(schema::validate(post, ok.value()).has_value());
    auto too_long = aimi::json::parse("{\"content\":\"" + repeat("x", 32001) + "\"}");
    ASSERT_TRUE(too_long.ok());
    const auto p = schema::validate(post, too_long.value());
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->code, "too_long");
    EXPECT_EQ(p->field, "/content");
}

}  // namespace
