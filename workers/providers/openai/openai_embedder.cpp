#include "workers/providers/openai/openai_embedder.hpp"

#include <cmath>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/json/serialize.hpp"

namespace aimi::providers::openai {

using memory::ProviderError;

namespace {

memory::ModelId model_id(const std::string& model, const std::string& dimensions) {
    return memory::ModelId{"openai", model, model + "/d" + dimensions};
}

//! A 2xx answer that cannot be used: the same request may well get a good one.
[[noreturn]] void garbage(const std::string& why) {
    throw ProviderError("unusable answer: " + why, true);
}

//! In place; a vector without length (or with NaN/inf) has no direction.
void normalize(memory::Vector& v) {
    double sum = 0;
    for (const float x : v) sum += static_cast<double>(x) * x;
    const double norm = std::sqrt(sum);
    if (!(norm > 0) || !std::isfinite(norm)) garbage("a zero or non-finite vector");
    for (float& x : v) x = static_cast<float>(x / norm);
}

}  // namespace

OpenAiEmbedder::OpenAiEmbedder(const ProviderSettings& settings)
    : settings_(settings),
      client_(settings, "/v1/embeddings"),
      dimensions_(settings.dimensions.value_or(0)),
      provisional_(
          model_id(settings.model, settings.dimensions ? std::to_string(*settings.dimensions) : std::string("?"))),
      model_(&provisional_) {}

memory::Embeddings OpenAiEmbedder::embed(const std::vector<std::string>& texts) {
    memory::Embeddings out;
    out.vectors.resize(texts.size());
    for (std::size_t begin = 0; begin < texts.size(); begin += settings_.batch_size)
        embed_batch(texts, begin, std::min(texts.size(), begin + settings_.batch_size), out);
    return out;
}

void OpenAiEmbedder::embed_batch(const std::vector<std::string>& texts, std::size_t begin, std::size_t end,
                                 memory::Embeddings& out) {
    const std::size_t count = end - begin;
    boost::json::object body{{"model", settings_.model}, {"encoding_format", "float"}};
    auto& input = body["input"].emplace_array();
    input.reserve(count);
    for (std::size_t i = begin; i < end; ++i) input.emplace_back(texts[i]);
    if (settings_.dimensions) body["dimensions"] = *settings_.dimensions;

    client_.post(json::serialize(body), [&](std::string_view answer) {
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        if (const auto error = parser.parse(answer.data(), answer.size()).get(doc))
            garbage(std::string("not JSON: ") + simdjson::error_message(error));
        simdjson::dom::array data;
        if (doc["data"].get(data)) garbage("no data array");
        if (data.size() != count) garbage(fmt::format("{} embeddings for {} inputs", data.size(), count));

        std::vector<memory::Vector> vectors(count);
        std::size_t length = 0;
        for (const auto item : data) {
            std::uint64_t index = 0;
            simdjson::dom::array embedding;
            if (item["index"].get(index) || index >= count || !vectors[index].empty())
                garbage("a missing, out-of-range or repeated index");
            if (item["embedding"].get(embedding) || embedding.size() == 0)
                garbage("an embedding that is not a non-empty array of numbers");
            if (length != 0 && embedding.size() != length)
                garbage(fmt::format("embeddings of {} and {} dimensions in one answer", length, embedding.size()));
            length = embedding.size();
            auto& v = vectors[index];
            v.reserve(length);
            for (const auto x : embedding) {
                double value = 0;
                if (x.get(value)) garbage("an embedding that is not a non-empty array of numbers");
                v.push_back(static_cast<float>(value));
            }
            normalize(v);
        }
        check_dimensions(length);

        std::int64_t prompt_tokens = 0;  // optional: local servers may not count
        if (doc["usage"]["prompt_tokens"].get(prompt_tokens) == simdjson::INCORRECT_TYPE)
            garbage("usage.prompt_tokens is not an integer");
        out.usage.tokens_in += prompt_tokens;
        std::move(vectors.begin(), vectors.end(), out.vectors.begin() + static_cast<std::ptrdiff_t>(begin));
    });
}

void OpenAiEmbedder::check_dimensions(std::size_t length) {
    std::size_t expected = dimensions_.load(std::memory_order_acquire);
    if (expected == 0) {
        std::lock_guard lock(learn_mutex_);
        expected = dimensions_.load(std::memory_order_relaxed);
        if (expected == 0) {  // the first answer fixes the length
            learned_.emplace(model_id(settings_.model, std::to_string(length)));
            model_.store(&*learned_, std::memory_order_release);
            dimensions_.store(length, std::memory_order_release);
            return;
        }
    }
    // Not worth retrying: the server serves another model (or ignores "dimensions").
    if (length != expected)
        throw ProviderError(
            fmt::format("embeddings of {} dimensions, expected {} (model {})", length, expected, settings_.model),
            false);
}

}  // namespace aimi::providers::openai
