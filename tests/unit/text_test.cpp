// Unit tests for domain/text: what a PostgreSQL text column can hold.
#include <gtest/gtest.h>

#include <string>

#include "domain/text.hpp"

namespace {

TEST(StorableText, ValidUtf8WithoutNulIsKeptAsIs) {
    for (const std::string text : {"", "plain", "Grüße, 東京 🏃", "tab\tnewline\n"}) {
        EXPECT_TRUE(aimi::is_storable_text(text)) << text;
        EXPECT_EQ(aimi::storable_text_or_hex(text), text);
    }
}

TEST(StorableText, NulOrInvalidUtf8BecomesHex) {
    EXPECT_FALSE(aimi::is_storable_text(std::string("k\0", 2)));
    EXPECT_EQ(aimi::storable_text_or_hex(std::string("k\0", 2)), "hex:6b00");
    EXPECT_FALSE(aimi::is_storable_text("\xff\xfe"));
    EXPECT_EQ(aimi::storable_text_or_hex("\xff\xfe"), "hex:fffe");
    EXPECT_EQ(aimi::storable_text_or_hex("\xc3"), "hex:c3") << "a truncated sequence is not text";
}

}  // namespace
