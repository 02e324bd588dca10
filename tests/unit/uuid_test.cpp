// Unit tests for domain/uuid.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "domain/uuid.hpp"

namespace {

using aimi::is_uuid;
using aimi::new_uuid;
using aimi::normalize_uuid;

TEST(Uuid, AcceptsCanonicalFormInEitherCase) {
    for (const char* text : {"123e4567-e89b-42d3-a456-426614174000", "123E4567-E89B-42D3-A456-426614174000",
                             "123e4567-E89B-42d3-A456-426614174000", "00000000-0000-0000-0000-000000000000",
                             "ffffffff-ffff-ffff-ffff-ffffffffffff"}) {
        SCOPED_TRACE(text);
        EXPECT_TRUE(is_uuid(text));
    }
}

TEST(Uuid, RejectsEverythingElse) {
    const std::vector<std::string> bad = {
        "",
        "123e4567e89b42d3a456426614174000",        // no dashes
        "123e4567-e89b-42d3-a456-42661417400",     // 35 chars
        "123e4567-e89b-42d3-a456-4266141740000",   // 37 chars
        "123e4567-e89b-42d3-a456-42661417400g",    // non-hex
        "123e4567-e89b-42d3-a456_426614174000",    // underscore instead of dash
        "123e4567-e89b42d3--a456-426614174000",    // dash moved
        "123e45670e89b-42d3-a456-426614174000",    // digit where a dash belongs
        "{123e4567-e89b-42d3-a456-426614174000}",  // braces
        "urn:uuid:123e4567-e89b-42d3-a456-426614174000",
        " 23e4567-e89b-42d3-a456-426614174000",  // space
        "123e4567-e89b-42d3-a456-42661417400 ",
        "------------------------------------",
        std::string("123e4567-e89b-42d3-a456-42661417400\0", 36),  // NUL
    };
    for (const auto& text : bad) {
        SCOPED_TRACE("'" + text + "'");
        EXPECT_FALSE(is_uuid(text));
    }
}

TEST(Uuid, NormalizeLowercases) {
    EXPECT_EQ(normalize_uuid("123E4567-E89B-42D3-A456-426614174ABC"), "123e4567-e89b-42d3-a456-426614174abc");
    EXPECT_EQ(normalize_uuid("123e4567-e89b-42d3-a456-426614174abc"), "123e4567-e89b-42d3-a456-426614174abc");
    EXPECT_EQ(normalize_uuid(""), "");
}

TEST(Uuid, NewUuidIsLowerCaseVersion4WithRfc4122Variant) {
    for (int i = 0; i < 1000; ++i) {
        const auto id = new_uuid();
        SCOPED_TRACE(id);
        ASSERT_TRUE(is_uuid(id));
        EXPECT_EQ(normalize_uuid(id), id);
        EXPECT_EQ(id[14], '4');                                          // version nibble
        EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // variant 10xx
    }
}

TEST(Uuid, NewUuidDoesNotRepeat) {
    std::set<std::string> seen;
    constexpr int kDraws = 100000;
    for (int i = 0; i < kDraws; ++i) seen.insert(new_uuid());
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kDraws));
}

TEST(Uuid, NewUuidUsesAllVariantAndRandomNibbles) {
    // 122 random bits: over many draws every hex digit appears in a random position and all four variant digits.
    std::set<char> variant, random_digit;
    for (int i = 0; i < 2000; ++i) {
        const auto id = new_uuid();
        variant.insert(id[19]);
        random_digit.insert(id[0]);
    }
    EXPECT_EQ(variant, (std::set<char>{'8', '9', 'a', 'b'}));
    EXPECT_EQ(random_digit.size(), 16u);
}

}  // namespace
