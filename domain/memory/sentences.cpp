#include "domain/memory/sentences.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "domain/memory/utf8.hpp"
#include "domain/text.hpp"

namespace aimi::memory {
namespace {

// Words a dot follows without ending the sentence.
constexpr std::array<std::string_view, 29> kAbbreviations = {
    "mr", "mrs", "ms",  "dr", "prof", "st", "vs",  "approx", "jr",   "sr",  "fig", "eg",  "ie",   "cf",  "al",
    "ca", "ул",  "стр", "см", "напр", "им", "тыс", "млн",    "млрд", "руб", "коп", "обл", "проф", "тел",
};
// Words that end lists: their dot ends the sentence only before a capital ("…, etc. Then").
constexpr std::array<std::string_view, 2> kListEnds = {"etc", "др"};

bool is_word_char(char32_t c) {
    return is_letter_or_digit(c);
}

bool is_sentence_end(char32_t c) {
    return c == U'!' || c == U'?' || c == U'\u2026' || c == U'\uFF01' || c == U'\uFF1F' || c == U'\u3002';
}

bool is_closer(char32_t c) {
    switch (c) {
        case U')':
        case U']':
        case U'}':
        case U'"':
        case U'\'':
        case U'\u00BB':
        case U'\u201D':
        case U'\u2019':
        case U'`':
            return true;
        default:
            return false;
    }
}

bool is_space(char32_t c) {
    return c == U' ' || c == U'\t' || c == U'\u00A0' || (c >= U'\u2000' && c <= U'\u200A') || c == U'\u202F' ||
           c == U'\u205F' || c == U'\u3000';
}

bool is_line_break(char32_t c) {
    return c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' || c == 0x85 || c == U'\u2028' || c == U'\u2029';
}

bool is_control(char32_t c) {
    return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

bool is_invisible(char32_t c) {
    return c == U'\uFEFF' || c == U'\u200B';
}

// A bullet or list number that opens a line: "- ", "• ", "1. ", "2) ".
std::size_t bullet_length(std::string_view s) {
    for (std::string_view bullet : {"- ", "* ", "+ ", "> ", "\u2022 ", "\u00B7 ", "\u2013 ", "\u2014 "})
        if (s.starts_with(bullet)) return bullet.size();
    std::size_t digits = 0;
    while (digits < s.size() && digits < 4 && s[digits] >= '0' && s[digits] <= '9') ++digits;
    if (digits > 0 && digits < 4 && s.size() > digits + 1 && (s[digits] == '.' || s[digits] == ')') &&
        s[digits + 1] == ' ')
        return digits + 2;
    return 0;
}

bool has_word_char(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto [c, length] = decode_utf8(s, i);
        if (is_word_char(c)) return true;
        i += length;
    }
    return false;
}

class Splitter {
  public:
    Splitter(std::string_view text, std::vector<std::string>& out, std::size_t max)
        : text_(text), out_(out), max_(max) {}

    void run() {
        while (i_ < text_.size() && out_.size() < max_) {
            const auto [raw, length] = decode_utf8(text_, i_);
            i_ += length;
            const char32_t c = raw;
            if (is_invisible(c)) continue;
            if (is_line_break(c)) {
                emit();
            } else if (is_space(c) || is_control(c)) {
                space();
            } else if (is_sentence_end(c)) {
                append(c);
                if (!is_word_char(peek())) end_sentence();
            } else if (c == U'.') {
                dot();
            } else {
                append(c);
            }
        }
        if (out_.size() < max_) emit();
    }

  private:
    char32_t peek(std::size_t at) const { return at < text_.size() ? decode_utf8(text_, at).code_point : 0; }
    char32_t peek() const { return peek(i_); }

    // The first code point after the spaces that follow, or 0.
    char32_t next_visible() const {
        for (std::size_t at = i_, steps = 0; at < text_.size() && steps < 16; ++steps) {
            const auto [c, length] = decode_utf8(text_, at);
            if (!is_space(c)) return c;
            at += length;
        }
        return 0;
    }

    void dot() {
        const char32_t next = peek();
        bool ends = !is_word_char(next);  // "example.com", "6.30", "e.g" go on
        if (ends && next != U'.') {
            // Initials and "e.g.", "т.е.", but "я" and "i" are words that can end a sentence.
            const bool one_letter = count_code_points(word_) == 1 && word_ != "я" && word_ != "i";
            const bool list_end = std::find(kListEnds.begin(), kListEnds.end(), word_) != kListEnds.end() ||
                                  (previous_word_ == "т" && (word_ == "д" || word_ == "п"));
            const bool abbreviation =
                std::find(kAbbreviations.begin(), kAbbreviations.end(), word_) != kAbbreviations.end();
            const bool list_number =
                !current_.empty() && current_.size() <= 3 &&
                std::all_of(current_.begin(), current_.end(), [](char d) { return d >= '0' && d <= '9'; });
            if (list_end) {
                const char32_t after = next_visible();
                ends = after != 0 && to_lower(after) != after;
            } else if (one_letter || abbreviation || list_number) {
                ends = false;
            }
        }
        append(U'.');
        if (ends) end_sentence();
    }

    // Keeps closing quotes, brackets and further marks ("?!", "...", ".)") with the sentence.
    void end_sentence() {
        while (i_ < text_.size()) {
            const auto [c, length] = decode_utf8(text_, i_);
            if (!(is_closer(c) || is_sentence_end(c) || c == U'.')) break;
            append(c);
            i_ += length;
        }
        emit();
    }

    void space() {
        if (current_.empty() || current_.back() == ' ') return;
        last_space_ = current_.size();
        current_ += ' ';
        ++code_points_;
        close_word();
    }

    void close_word() {
        if (!word_.empty()) previous_word_ = std::move(word_);
        word_.clear();
    }

    void append(char32_t c) {
        append_utf8(current_, c);
        ++code_points_;
        if (is_word_char(c) || (!word_.empty() && is_combining_mark(c)))
            append_utf8(word_, to_lower(c));
        else
            close_word();
        if (code_points_ >= kMaxSentenceCodePoints) cut();
    }

    // A sentence too long: end it at the last space in its second half, or right here.
    void cut() {
        if (last_space_ != std::string::npos && last_space_ >= current_.size() / 2) {
            std::string rest = current_.substr(last_space_ + 1);
            current_.resize(last_space_);
            emit();
            current_ = std::move(rest);
            code_points_ = count_code_points(current_);
        } else {
            emit();
        }
    }

    void emit() {
        std::string_view s = current_;
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
        s.remove_prefix(bullet_length(s));
        if (has_word_char(s) && out_.size() < max_) out_.emplace_back(s);
        current_.clear();
        code_points_ = 0;
        last_space_ = std::string::npos;
        word_.clear();
        previous_word_.clear();
    }

    std::string_view text_;
    std::vector<std::string>& out_;
    std::size_t max_;
    std::size_t i_ = 0;
    std::string current_;
    std::size_t code_points_ = 0;
    std::size_t last_space_ = std::string::npos;
    std::string word_;           // lower case, the word the last code point belongs to ("" after a non-letter)
    std::string previous_word_;  // the word before it
};

}  // namespace

void split_sentences(std::string_view text, std::vector<std::string>& out, std::size_t max_sentences) {
    Splitter(text, out, max_sentences).run();
}

std::vector<std::string> split_sentences(std::string_view text) {
    std::vector<std::string> out;
    split_sentences(text, out, std::numeric_limits<std::size_t>::max());
    return out;
}

}  // namespace aimi::memory
