#pragma once

#include <cstddef>
#include <string_view>

#include "domain/memory/providers.hpp"

namespace aimi::memory {

//! A local summarizer that picks sentences instead of writing them, and extracts facts by rules.
//!
//! Sentences (sentences.hpp; at most kMaxSentences per request, the first ones) are scored by
//! TF-IDF closeness to the rest of the conversation, plus a bonus for the user's own sentences, for
//! sentences holding facts and for the first sentence of a message, less for very short ones and
//! for the assistant's questions; system messages are never picked. The best few (see
//! sentence_budget), without near-duplicates, are output in source order as key_points (≤ 200
//! code points each) and, joined by spaces, as text. Facts come from extraction_rules.hpp, one per
//! sentence and kind, merged (with their refs) when the same words come up again. Both English and
//! Russian rules run on every sentence, so the request's locale is not needed.
//! Deterministic; never throws ProviderError.
class ExtractiveSummarizer : public TextGenerator {
  public:
    static constexpr std::size_t kMaxSentences = 2000;
    static constexpr std::size_t kMaxKeyPointCodePoints = 200;

    const ModelId& model() const override { return model_; }
    Summary summarize(const SummaryRequest& request) override;

    //! Sentences picked for a purpose: 5 for "daily_summary", 7 for "weekly_summary", else 3.
    static std::size_t sentence_budget(std::string_view purpose);

  private:
    ModelId model_{"local", "extractive", "v1"};
};

}  // namespace aimi::memory
