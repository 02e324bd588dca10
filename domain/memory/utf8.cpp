#include "domain/memory/utf8.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace aimi::memory {

DecodedCodePoint decode_utf8(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    char32_t c = 0, min = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, c = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, c = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, c = lead & 0x07, min = 0x10000;
    } else {
        return {kReplacementCharacter, 1};
    }
    if (at + length > text.size()) return {kReplacementCharacter, 1};
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return {kReplacementCharacter, 1};
        c = (c << 6) | (byte(at + i) & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return {kReplacementCharacter, 1};
    return {c, length};
}

namespace {

using Range = std::pair<char32_t, char32_t>;

// Inclusive ranges of letters and digits beyond ASCII, by script block (a rough cut of Unicode's
// L and Nd classes: enough to find words, not to tell every symbol from a letter).
constexpr std::array<Range, 44> kWordRanges{{
    {0x00AA, 0x00AA},   {0x00B5, 0x00B5}, {0x00BA, 0x00BA}, {0x00C0, 0x00D6},
    {0x00D8, 0x00F6},   {0x00F8, 0x02AF},  // Latin-1 letters, Latin Extended-A/B, IPA
    {0x0370, 0x0373},   {0x0376, 0x037D}, {0x037F, 0x0386}, {0x0388, 0x03FF},  // Greek
    {0x0400, 0x0481},   {0x048A, 0x052F},                                      // Cyrillic
    {0x0531, 0x0587},                                                          // Armenian
    {0x05D0, 0x05EA},                                                          // Hebrew
    {0x0620, 0x064A},   {0x0660, 0x0669}, {0x066E, 0x06D3}, {0x06F0, 0x06FF},  // Arabic
    {0x0900, 0x0DFF},                                                          // Indic
    {0x0E01, 0x0E3A},   {0x0E40, 0x0E4E}, {0x0E50, 0x0E59},                    // Thai
    {0x10A0, 0x10FF},   {0x1100, 0x11FF},                                      // Georgian, Jamo
    {0x1E00, 0x1FFF},                                                          // Latin Ext. Additional, Greek Ext.
    {0x3041, 0x3096},   {0x309D, 0x309F}, {0x30A1, 0x30FA}, {0x30FC, 0x30FF},  // kana
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},                                      // CJK
    {0xAC00, 0xD7A3},                                                          // Hangul
    {0xF900, 0xFAFF},                                                          // CJK compatibility
    {0xFF10, 0xFF19},   {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0xFF66, 0xFF9F},  // full/half width
    {0x20000, 0x2FA1F},                                                        // CJK extensions
    {0x1D400, 0x1D7FF},                                                        // math alphanumerics
    {0x10400, 0x1044F},                                                        // Deseret
    {0x2C00, 0x2C5F},   {0x2C60, 0x2C7F}, {0xA640, 0xA69F}, {0xA720, 0xA7FF},  // more Latin, Cyrillic
}};

constexpr std::array<Range, 5> kMarkRanges{{
    {0x0300, 0x036F},
    {0x0483, 0x0489},
    {0x1AB0, 0x1AFF},
    {0x1DC0, 0x1DFF},
    {0x20D0, 0x20FF},
}};

template <std::size_t N>
bool in_ranges(const std::array<Range, N>& ranges, char32_t c) {
    return std::any_of(ranges.begin(), ranges.end(), [c](const Range& r) { return c >= r.first && c <= r.second; });
}

}  // namespace

bool is_ascii_digit(char32_t c) {
    return c >= U'0' && c <= U'9';
}

bool is_letter_or_digit(char32_t c) {
    if (c < 0x80) return is_ascii_digit(c) || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
    if (c == 0x00D7 || c == 0x00F7) return false;  // × ÷ sit inside the Latin-1 letter range
    return in_ranges(kWordRanges, c);
}

bool is_combining_mark(char32_t c) {
    return in_ranges(kMarkRanges, c) || (c >= 0xFE20 && c <= 0xFE2F);
}

char32_t to_lower(char32_t c) {
    if (c < 0x80) return (c >= U'A' && c <= U'Z') ? c + 0x20 : c;
    if (c >= 0x00C0 && c <= 0x00DE && c != 0x00D7) return c + 0x20;
    if (c == 0x0178) return 0x00FF;  // Ÿ
    if (c == 0x0130) return U'i';    // İ
    if ((c >= 0x0100 && c <= 0x0137) || (c >= 0x014A && c <= 0x0177)) return c | 1;
    if ((c >= 0x0139 && c <= 0x0148) || (c >= 0x0179 && c <= 0x017E)) return (c & 1) ? c + 1 : c;
    if ((c >= 0x0391 && c <= 0x03A1) || (c >= 0x03A3 && c <= 0x03AB)) return c + 0x20;  // Greek
    if (c == 0x0386) return 0x03AC;
    if (c >= 0x0388 && c <= 0x038A) return c + 37;
    if (c == 0x038C) return 0x03CC;
    if (c == 0x038E || c == 0x038F) return c + 63;
    if (c >= 0x0410 && c <= 0x042F) return c + 0x20;  // А–Я
    if (c >= 0x0400 && c <= 0x040F) return c + 0x50;  // Ѐ–Џ, incl. Ё → ё
    if ((c >= 0x0460 && c <= 0x0481) || (c >= 0x048A && c <= 0x04BF) || (c >= 0x04D0 && c <= 0x052F)) return c | 1;
    if (c == 0x04C0) return 0x04CF;
    if (c >= 0x04C1 && c <= 0x04CE) return (c & 1) ? c + 1 : c;
    return c;
}

std::size_t count_code_points(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace aimi::memory
