#include "workers/providers/minilm/bert_normalizer.hpp"

#include <algorithm>
#include <span>

#include "domain/text.hpp"
#include "workers/providers/minilm/bert_normalizer_tables.hpp"

namespace aimi::memory::minilm {
namespace {

bool in(std::span<const tables::Range> ranges, char32_t c) {
    const auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                                     [](char32_t value, const tables::Range& r) { return value < r.first; });
    return it != ranges.begin() && c <= std::prev(it)->last;
}

template <typename Entry>
const Entry* find(std::span<const Entry> entries, char32_t c) {
    const auto it = std::lower_bound(entries.begin(), entries.end(), c,
                                     [](const Entry& e, char32_t value) { return e.from < value; });
    return it != entries.end() && it->from == c ? &*it : nullptr;
}

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point at `pos` and advances past it; a malformed sequence (bad lead, bad or
// missing continuation, overlong, surrogate, beyond U+10FFFF) yields U+FFFD for its first byte.
char32_t next_code_point(std::string_view s, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    std::size_t length = 0;
    char32_t c = 0, min = 0;
    if ((lead & 0xE0) == 0xC0)
        length = 2, c = lead & 0x1F, min = 0x80;
    else if ((lead & 0xF0) == 0xE0)
        length = 3, c = lead & 0x0F, min = 0x800;
    else if ((lead & 0xF8) == 0xF0)
        length = 4, c = lead & 0x07, min = 0x10000;
    if (length == 0 || pos + length > s.size()) {
        ++pos;
        return kReplacement;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(pos + i) & 0xC0) != 0x80) {
            ++pos;
            return kReplacement;
        }
        c = c << 6 | (byte(pos + i) & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        ++pos;
        return kReplacement;
    }
    pos += length;
    return c;
}

// strip_accents then lowercase of one character, appended to `out`.
void append_mapped(std::u32string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        return;
    }
    if (c >= 0xAC00 && c <= 0xD7A3) {  // Hangul syllable: algorithmic canonical decomposition
        const char32_t index = c - 0xAC00;
        out.push_back(0x1100 + index / 588);
        out.push_back(0x1161 + index % 588 / 28);
        if (index % 28) out.push_back(0x11A7 + index % 28);
        return;
    }
    if (const auto* m = find<tables::Mapping>(tables::kMapped, c)) {
        out.push_back(m->to);
    } else if (const auto* e = find<tables::Expansion>(tables::kExpanded, c)) {
        for (const char32_t to : e->to)
            if (to) out.push_back(to);
    } else if (!in(tables::kDropped, c)) {
        out.push_back(c);
    }
}

bool is_space(char32_t c) {
    // After bert_normalize only U+0020 is left, but Rust's char::is_whitespace is the rule.
    return c == ' ' || (c >= 0x9 && c <= 0xD) || c == 0x85 || in(tables::kSpaces, c);
}

}  // namespace

std::u32string bert_normalize(std::string_view utf8) {
    std::u32string out;
    out.reserve(utf8.size());
    for (std::size_t pos = 0; pos < utf8.size();) {
        const char32_t c = next_code_point(utf8, pos);
        if (c == 0x20 || (c >= 0x21 && c < 0x7F)) {
            append_mapped(out, c);
        } else if (in(tables::kRemoved, c)) {
            continue;
        } else if (in(tables::kSpaces, c)) {
            out.push_back(' ');
        } else if (in(tables::kChinese, c)) {
            out.push_back(' ');
            append_mapped(out, c);
            out.push_back(' ');
        } else {
            append_mapped(out, c);
        }
    }
    return out;
}

std::vector<std::string> bert_pre_tokenize(std::u32string_view normalized) {
    std::vector<std::string> words;
    std::string word;
    const auto flush = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    for (const char32_t c : normalized) {
        if (is_space(c)) {
            flush();
        } else if (in(tables::kPunctuation, c)) {
            flush();
            append_utf8(word, c);
            flush();
        } else {
            append_utf8(word, c);
        }
    }
    flush();
    return words;
}

}  // namespace aimi::memory::minilm
