#include "domain/goals/model.hpp"

#include "domain/text.hpp"

namespace aimi::goals {

std::string_view to_string(GoalStatus status) {
    switch (status) {
        case GoalStatus::active:
            return "active";
        case GoalStatus::done:
            return "done";
        case GoalStatus::cancelled:
            return "cancelled";
        case GoalStatus::archived:
            return "archived";
    }
    return "active";
}

std::optional<GoalStatus> goal_status(std::string_view text) {
    for (auto s : {GoalStatus::active, GoalStatus::done, GoalStatus::cancelled, GoalStatus::archived})
        if (to_string(s) == text) return s;
    return std::nullopt;
}

std::string_view to_string(DependencyType type) {
    switch (type) {
        case DependencyType::requires_:
            return "requires";
        case DependencyType::enables:
            return "enables";
        case DependencyType::blocks:
            return "blocks";
        case DependencyType::related:
            return "related";
        case DependencyType::parallel:
            return "parallel";
    }
    return "related";
}

std::optional<DependencyType> dependency_type(std::string_view text) {
    for (auto t : {DependencyType::requires_, DependencyType::enables, DependencyType::blocks, DependencyType::related,
                   DependencyType::parallel})
        if (to_string(t) == text) return t;
    return std::nullopt;
}

namespace {

//! Decodes one code point of valid UTF-8 (titles passed the schema's UTF-8 check) at `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = length == 1 ? b : length == 2 ? (b & 0x1F) : length == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < length && i + k < s.size(); ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += length;
    return c;
}

char32_t fold_case(char32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 0x20;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1 capitals
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;             // Cyrillic А-Я
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;             // Cyrillic Ѐ-Џ (Ё)
    return c;
}

bool is_space(char32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0;
}

bool is_trailing_punctuation(char c) {
    return c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':';
}

}  // namespace

std::string normalize_title(std::string_view title) {
    std::string out;
    out.reserve(title.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < title.size();) {
        const char32_t c = next_code_point(title, i);
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        append_utf8(out, fold_case(c));
    }
    while (!out.empty() && (is_trailing_punctuation(out.back()) || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace aimi::goals
