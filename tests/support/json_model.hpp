#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Test-only: random JSON documents with an independent verdict of whether the gateway must
// accept them, and a comparison that says whether what came back is the same value.
namespace aimi::testing::json_model {

//! A JSON value whose numbers keep their literal text and whose strings hold decoded UTF-8.
struct Value {
    enum class Kind { null, boolean, number, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    std::string text;  //!< number literal, or decoded string
    std::vector<Value> items;
    std::vector<std::pair<std::string, Value>> members;
};

//! A generated document: its JSON spelling, its value, and whether the number rule, the depth
//! limit and the text rules (no U+0000, no lone surrogate, no repeated name) let it through.
struct Document {
    std::string text;
    Value value;
    bool acceptable = true;
    std::string why_not;  //!< the generator's reason when not acceptable
};

//! Seeded, reproducible generator. Numbers of every magnitude and spelling (integers at and
//! beyond the 64-bit edges, exponents, negative zero, subnormals, long decimals, overflow),
//! strings from every Unicode plane with random escaping, deep and wide objects.
class Generator {
  public:
    explicit Generator(std::uint64_t seed) : rng_(seed) {}

    //! An object to stand for free-form settings/metadata, nested under `base_depth` levels of
    //! the body (the body counts as one). `max_nodes` bounds its size.
    Document object(int base_depth, int max_nodes = 60);

  private:
    struct Piece {
        std::string text;
        Value value;
    };
    Piece value(int depth, int& budget, Document& doc);
    Piece number(Document& doc);
    Piece string(Document& doc, bool is_key);
    Piece container(bool is_object, int depth, int& budget, Document& doc);
    void refuse(Document& doc, std::string why);
    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

    std::mt19937_64 rng_;
};

//! Parses JSON text into a Value (numbers kept as text). nullopt for invalid JSON.
std::optional<Value> parse(std::string_view text);

//! Same value: numbers by decimal value, strings by bytes, objects regardless of member order.
//! On a difference, `where` gets the JSON pointer and what differs.
bool equivalent(const Value& expected, const Value& actual, std::string* where = nullptr);

//! Spells `value` as JSON text (numbers as their literals).
std::string to_text(const Value& value);

//! The text PostgreSQL gives back for this value stored as jsonb: numbers in plain decimal
//! notation with their scale (1E20 -> 100000000000000000000, 1.5E-3 -> 0.0015), keys sorted
//! by length then bytes. A model for unit tests; integration tests use the real database.
std::string jsonb_text(const Value& value);

}  // namespace aimi::testing::json_model
