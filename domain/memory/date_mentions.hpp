#pragma once

#include <vector>

#include "domain/memory/words.hpp"

namespace aimi::memory {

//! True if `words` (split_words with apostrophes and numbers joined) name a date or a time, in
//! English or Russian: ISO and dotted dates, clock times ("18:00", "6pm", "at 7", "в 7 утра"),
//! day and month ("12 March", "March 12th", "12 марта", "в марте"), weekdays ("on Monday", "в
//! понедельник"), relative days and weeks ("tomorrow", "next week", "in 3 days", "завтра", "на
//! следующей неделе", "через неделю"), years after a preposition ("in 2025", "в 2025 году") and
//! recurring times ("every morning", "по утрам"). "today" and "сегодня" alone do not count: nearly
//! every message could carry them.
bool mentions_date_or_time(const std::vector<Word>& words);

}  // namespace aimi::memory
