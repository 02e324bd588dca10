#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/memory/words.hpp"

// A tiny pattern language over words (from split_words with apostrophes and numbers joined), so
// the English and Russian rules read as data:
//   a|b|c      one word, any of these; a trailing * matches by prefix ("exhaust*")
//   (i'm|i am) any of these word sequences
//   ?a|b       at most one word, any of these (# among them: a number)
//   ~          any one word;   ~? at most one word;   #  a number (ASCII digits)
//   !a|b       zero-width: the next word, if any, is none of these
// Between elements a match may skip up to two filler words ("really", "очень", ...), never a clause
// break (see Word::after_break).
namespace aimi::memory {

class WordPattern {
  public:
    //! @throws std::invalid_argument for a malformed spec (a programming error in a rule table)
    explicit WordPattern(std::string_view spec);

    //! One past the last word of the match starting at `at`, or nullopt.
    std::optional<std::size_t> match_at(const std::vector<Word>& words, std::size_t at) const;

    struct Literal {
        std::string text;
        bool prefix = false;
        bool number = false;  // "#" among alternatives
        bool matches(std::string_view word) const;
    };
    //! The words a match can start with, or nullopt if it can start with any word (~, #, ?a).
    std::optional<std::vector<Literal>> first_words() const;

  private:
    struct Element {
        enum class Kind { word, optional_word, group, any, optional_any, number, not_next } kind;
        std::vector<Literal> alternatives;            // word, optional_word, not_next
        std::vector<std::vector<Literal>> sequences;  // group
    };
    std::optional<std::size_t> match_from(const std::vector<Word>& words, std::size_t start, std::size_t element,
                                          std::size_t at) const;

    std::vector<Element> elements_;
};

//! Patterns indexed by the words they start with, so that trying many of them at every word of a
//! sentence costs a lookup rather than a scan.
class PatternSet {
  public:
    //! @throws std::invalid_argument for a malformed spec
    explicit PatternSet(const std::vector<std::string_view>& specs);

    std::size_t size() const { return patterns_.size(); }
    const WordPattern& operator[](std::size_t i) const { return patterns_[i]; }

    //! Replaces `out` with the indices (ascending) of the patterns that may match at `word`.
    void candidates(const Word& word, std::vector<std::size_t>& out) const;
    //! True if any pattern matches anywhere in `words`.
    bool found_in(const std::vector<Word>& words) const;

  private:
    std::vector<WordPattern> patterns_;
    std::map<std::string, std::vector<std::size_t>, std::less<>> by_word_;
    std::vector<std::pair<std::string, std::size_t>> by_prefix_;  // (stem, pattern)
    std::vector<std::size_t> anywhere_;
};

}  // namespace aimi::memory
