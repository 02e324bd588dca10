#include "domain/memory/word_patterns.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace aimi::memory {
namespace {

// Adverbs and particles that sit between the words of a phrase without changing what it says:
// "I really like", "я тоже живу", "мне очень нравится".
constexpr std::array<std::string_view, 40> kFillers = {
    "absolutely",    "actually",  "also",   "always",   "currently", "definitely", "honestly", "just",
    "kinda",         "literally", "now",    "probably", "quite",     "really",     "so",       "sometimes",
    "still",         "totally",   "truly",  "usually",  "very",      "вообще",     "всегда",   "все",
    "действительно", "довольно",  "еще",    "наверное", "немного",   "обычно",     "очень",    "правда",
    "просто",        "реально",   "сейчас", "так",      "также",     "теперь",     "тоже",     "уже",
};

bool is_filler(std::string_view word) {
    return std::find(kFillers.begin(), kFillers.end(), word) != kFillers.end();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == separator) {
            if (i > start) parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    return parts;
}

bool is_number(std::string_view word) {
    return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool WordPattern::Literal::matches(std::string_view word) const {
    if (number) return is_number(word);
    return prefix ? word.starts_with(text) : word == text;
}

WordPattern::WordPattern(std::string_view spec) {
    std::vector<std::string_view> tokens;
    for (std::size_t i = 0; i < spec.size();) {
        if (spec[i] == ' ') {
            ++i;
        } else if (spec[i] == '(') {
            const std::size_t close = spec.find(')', i);
            if (close == std::string_view::npos) throw std::invalid_argument("unclosed ( in pattern");
            tokens.push_back(spec.substr(i, close + 1 - i));
            i = close + 1;
        } else {
            const std::size_t end = std::min(spec.find(' ', i), spec.size());
            tokens.push_back(spec.substr(i, end - i));
            i = end;
        }
    }
    const auto literal = [](std::string_view text) {
        const bool prefix = text.ends_with('*');
        if (prefix) text.remove_suffix(1);
        if (text.empty()) throw std::invalid_argument("empty word in pattern");
        return Literal{std::string(text), prefix, text == "#"};
    };
    for (std::string_view token : tokens) {
        Element element;
        if (token == "~") {
            element.kind = Element::Kind::any;
        } else if (token == "~?") {
            element.kind = Element::Kind::optional_any;
        } else if (token == "#") {
            element.kind = Element::Kind::number;
        } else if (token.size() > 1 && token.starts_with('?')) {
            element.kind = Element::Kind::optional_word;
            for (std::string_view word : split(token.substr(1), '|')) element.alternatives.push_back(literal(word));
        } else if (token.starts_with('(')) {
            element.kind = Element::Kind::group;
            for (std::string_view sequence : split(token.substr(1, token.size() - 2), '|')) {
                std::vector<Literal> literals;
                for (std::string_view word : split(sequence, ' ')) literals.push_back(literal(word));
                element.sequences.push_back(std::move(literals));
            }
        } else {
            element.kind = token.starts_with('!') ? Element::Kind::not_next : Element::Kind::word;
            if (token.starts_with('!')) token.remove_prefix(1);
            for (std::string_view word : split(token, '|')) element.alternatives.push_back(literal(word));
        }
        if ((element.kind == Element::Kind::word || element.kind == Element::Kind::optional_word ||
             element.kind == Element::Kind::not_next) &&
            element.alternatives.empty())
            throw std::invalid_argument("empty alternatives in pattern");
        if (element.kind == Element::Kind::group && element.sequences.empty())
            throw std::invalid_argument("empty group in pattern");
        elements_.push_back(std::move(element));
    }
    if (elements_.empty() || elements_.front().kind == Element::Kind::not_next)
        throw std::invalid_argument("a pattern starts with a word");
}

std::optional<std::size_t> WordPattern::match_from(const std::vector<Word>& words, std::size_t start,
                                                   std::size_t element, std::size_t at) const {
    if (element == elements_.size()) return at;
    const Element& e = elements_[element];
    const auto usable = [&](std::size_t j) { return j < words.size() && (j == start || !words[j].after_break); };
    const auto any_of = [](const std::vector<Literal>& literals, std::string_view word) {
        return std::any_of(literals.begin(), literals.end(), [&](const Literal& l) { return l.matches(word); });
    };
    if (e.kind == Element::Kind::not_next) {
        if (usable(at) && any_of(e.alternatives, words[at].text)) return std::nullopt;
        return match_from(words, start, element + 1, at);
    }
    // Up to two fillers may precede any element but the first.
    const std::size_t max_skip = element == 0 ? 0 : 2;
    for (std::size_t skip = 0, p = at; skip <= max_skip; ++skip, ++p) {
        if (skip > 0 && !(usable(p - 1) && is_filler(words[p - 1].text))) break;
        std::optional<std::size_t> end;
        switch (e.kind) {
            case Element::Kind::word:
                if (usable(p) && any_of(e.alternatives, words[p].text))
                    end = match_from(words, start, element + 1, p + 1);
                break;
            case Element::Kind::group:
                for (const std::vector<Literal>& sequence : e.sequences) {
                    std::size_t k = 0;
                    while (k < sequence.size() && usable(p + k) && sequence[k].matches(words[p + k].text)) ++k;
                    if (k == sequence.size()) end = match_from(words, start, element + 1, p + k);
                    if (end) break;
                }
                break;
            case Element::Kind::optional_word:
                end = match_from(words, start, element + 1, p);
                if (!end && usable(p) && any_of(e.alternatives, words[p].text))
                    end = match_from(words, start, element + 1, p + 1);
                break;
            case Element::Kind::any:
                if (usable(p)) end = match_from(words, start, element + 1, p + 1);
                break;
            case Element::Kind::optional_any:
                end = match_from(words, start, element + 1, p);
                if (!end && usable(p)) end = match_from(words, start, element + 1, p + 1);
                break;
            case Element::Kind::number:
                if (usable(p) && is_number(words[p].text)) end = match_from(words, start, element + 1, p + 1);
                break;
            case Element::Kind::not_next:
                break;
        }
        if (end) return end;
    }
    return std::nullopt;
}

std::optional<std::size_t> WordPattern::match_at(const std::vector<Word>& words, std::size_t at) const {
    if (at >= words.size()) return std::nullopt;
    return match_from(words, at, 0, at);
}

std::optional<std::vector<WordPattern::Literal>> WordPattern::first_words() const {
    const Element& first = elements_.front();
    if (first.kind == Element::Kind::word) return first.alternatives;
    if (first.kind != Element::Kind::group) return std::nullopt;
    std::vector<Literal> literals;
    for (const auto& sequence : first.sequences) literals.push_back(sequence.front());
    return literals;
}

PatternSet::PatternSet(const std::vector<std::string_view>& specs) {
    patterns_.reserve(specs.size());
    for (std::string_view spec : specs) {
        const std::size_t index = patterns_.size();
        patterns_.emplace_back(spec);
        const auto firsts = patterns_.back().first_words();
        if (!firsts) {
            anywhere_.push_back(index);
            continue;
        }
        for (const WordPattern::Literal& literal : *firsts) {
            if (literal.number)
                anywhere_.push_back(index);
            else if (literal.prefix)
                by_prefix_.emplace_back(literal.text, index);
            else
                by_word_[literal.text].push_back(index);
        }
    }
}

void PatternSet::candidates(const Word& word, std::vector<std::size_t>& out) const {
    out = anywhere_;
    if (const auto it = by_word_.find(word.text); it != by_word_.end())
        out.insert(out.end(), it->second.begin(), it->second.end());
    for (const auto& [stem, index] : by_prefix_)
        if (std::string_view(word.text).starts_with(stem)) out.push_back(index);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
}

bool PatternSet::found_in(const std::vector<Word>& words) const {
    std::vector<std::size_t> indices;
    for (std::size_t at = 0; at < words.size(); ++at) {
        candidates(words[at], indices);
        for (const std::size_t i : indices)
            if (patterns_[i].match_at(words, at)) return true;
    }
    return false;
}

}  // namespace aimi::memory
