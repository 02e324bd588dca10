#pragma once

#include <string_view>

namespace aimi::memory {

//! True for English and Russian function words ("the", "и", "это", ...), which say nothing about
//! what a conversation is about. Expects lower case with ё folded to е, as split_words gives.
bool is_stop_word(std::string_view word);

}  // namespace aimi::memory
