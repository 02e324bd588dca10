#include "domain/learning/synopsis_notes.hpp"

#include "domain/memory/sentences.hpp"
#include "domain/memory/words.hpp"
#include "domain/text.hpp"

namespace aimi::learning {

namespace {
constexpr std::size_t kMaxText = 400;
constexpr std::size_t kMaxQuestions = 3;
}  // namespace

std::vector<SynopsisNote> synopsis_notes(std::string_view message) {
    std::vector<SynopsisNote> out;
    const auto sentences = memory::split_sentences(message);
    for (const auto& s : sentences)
        if (s.ends_with("?") && out.size() < kMaxQuestions) out.push_back({"question", clip_utf8(s, kMaxText)});
    if (!out.empty() || sentences.empty()) return out;
    if (memory::split_words(sentences.front()).size() >= 4)
        out.push_back({"note", clip_utf8(sentences.front(), kMaxText)});
    return out;
}

}  // namespace aimi::learning
