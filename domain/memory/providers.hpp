#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

// The provider interfaces of memory: embeddings and text generation (summaries). Implementations
// may do I/O (a model file, an HTTP service); callers record every call as a prompt run and turn
// its result into an event, so a replay never calls a provider again.
namespace aimi::memory {

//! Which model made a vector or a text. Stored with every vector: vectors of different models are
//! never compared.
struct ModelId {
    std::string provider;  // "minilm", "hashed", "openai"
    std::string name;      // e.g. "all-MiniLM-L6-v2"
    std::string version;   // changes whenever the same text could get another output
};

using Vector = std::vector<float>;

//! Token counts as the provider reports them (or counts them, for local ones).
struct Usage {
    std::int64_t tokens_in = 0;
    std::int64_t tokens_out = 0;
};

//! A provider that could not answer: unreachable, timed out, refused or answered nonsense.
//! `retryable` says whether the same call may succeed later (network, 429, 5xx).
class ProviderError : public std::runtime_error {
  public:
    ProviderError(const std::string& what, bool retryable) : std::runtime_error(what), retryable_(retryable) {}
    bool retryable() const noexcept { return retryable_; }

  private:
    bool retryable_;
};

struct Embeddings {
    std::vector<Vector> vectors;  // one per input text, in order, L2-normalized, model().dimensions long
    Usage usage;
};

class Embedder {
  public:
    virtual ~Embedder() = default;
    virtual const ModelId& model() const = 0;
    virtual std::size_t dimensions() const = 0;
    //! @throws ProviderError
    virtual Embeddings embed(const std::vector<std::string>& texts) = 0;
};

//! One item a summary is made from: a message (ref = its seq) or, for roll-ups, a summary.
struct SourceItem {
    std::string ref;   // what extracted facts cite: a message seq ("12") or a summary id
    std::string role;  // "user", "assistant", "system", "summary"
    std::string text;
};

struct SummaryRequest {
    std::string purpose;  // "session_summary", "daily_summary", "weekly_summary"
    std::string locale;   // the user's locale, e.g. "en-US", "ru-RU" ("" = guess per sentence)
    std::vector<SourceItem> items;
};

//! What was extracted, with the items it came from.
struct ExtractedFact {
    std::string kind;  // "fact", "plan", "preference", "date", "mood"
    std::string text;
    std::vector<std::string> refs;
};

struct Summary {
    std::string text;
    std::vector<std::string> key_points;
    std::vector<ExtractedFact> facts;
    Usage usage;
};

class TextGenerator {
  public:
    virtual ~TextGenerator() = default;
    virtual const ModelId& model() const = 0;
    //! @throws ProviderError
    virtual Summary summarize(const SummaryRequest& request) = 0;
};

}  // namespace aimi::memory
