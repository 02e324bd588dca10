#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aimi::memory::minilm {

//! HF `tokenizers`' BertNormalizer of an uncased model (clean_text, handle_chinese_chars,
//! strip_accents, lowercase): controls dropped, white space to U+0020, CJK ideographs spaced,
//! accents stripped by canonical decomposition (é → e, й → и, ё → е), lower-cased. Invalid UTF-8
//! counts as U+FFFD, which clean_text drops.
std::u32string bert_normalize(std::string_view utf8);

//! HF `tokenizers`' BertPreTokenizer: split at white space, and each punctuation character
//! (ASCII punctuation and Unicode P*) is a word of its own. Words are UTF-8.
std::vector<std::string> bert_pre_tokenize(std::u32string_view normalized);

}  // namespace aimi::memory::minilm
