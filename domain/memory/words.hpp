#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

// Words as memory's rules and the hashed embedder see them: runs of letters and digits, lower-cased,
// with ё folded to е (Russian writers use either).
namespace aimi::memory {

struct Word {
    std::string text;
    //! Clause punctuation (. , ; : ! ? … ( ) — –, a newline) stands between this word and the one
    //! before: negation and phrases do not reach across it.
    bool after_break = false;
    std::size_t begin = 0, end = 0;  //!< where the word is in the text (bytes, end exclusive)
};

struct WordOptions {
    bool join_apostrophes = false;  //!< "don't", "i'm" stay one word (' ’ ʼ between letters, kept as ')
    bool join_numbers = false;      //!< "18:00", "2024-03-12", "6.30", "12/03" stay one word
    std::size_t max_words = std::numeric_limits<std::size_t>::max();
};

//! The words of `text` (any bytes: invalid UTF-8 separates words).
std::vector<Word> split_words(std::string_view text, const WordOptions& options = {});

//! How many words split_words would return with the default options.
std::size_t count_words(std::string_view text);

}  // namespace aimi::memory
