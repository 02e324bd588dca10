#include "domain/auth/jwt.hpp"

#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>
#include <boost/json/value.hpp>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/uuid.hpp"

namespace aimi::auth {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : in) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
    return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : in) {
        const auto pos = kAlphabet.find(c);
        if (pos == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), digest.data(), &length);
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

Problem invalid(std::string message) {
    return {ProblemKind::unauthorized, "invalid_token", std::move(message), "Authorization"};
}

}  // namespace

std::string sign_token(const Principal& principal, std::string_view secret, std::int64_t issued_at_s,
                       std::int64_t ttl_s) {
    const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    const boost::json::object claims{
        {"sub", principal.user_id}, {"role", principal.role}, {"iat", issued_at_s}, {"exp", issued_at_s + ttl_s}};
    const std::string signing_input = header + "." + base64url_encode(json::serialize(claims));
    return signing_input + "." + base64url_encode(hmac_sha256(secret, signing_input));
}

Result<Principal> verify_token(std::string_view token, std::string_view secret, std::int64_t now_s) {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
        return invalid("a bearer token has three dot-separated parts");

    // Compare encodings, not decoded bytes: one signature has exactly one accepted spelling.
    const auto signing_input = token.substr(0, second);
    const auto signature = token.substr(second + 1);
    const std::string expected = base64url_encode(hmac_sha256(secret, signing_input));
    if (signature.size() != expected.size() || CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0)
        return invalid("bad token signature");

    const auto header = base64url_decode(token.substr(0, first));
    if (!header) return invalid("malformed token header");
    auto parsed_header = json::parse(*header);
    std::string_view alg;
    if (!parsed_header || parsed_header.value()["alg"].get(alg) || alg != "HS256")
        return invalid("only HS256 tokens are accepted");

    const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
    if (!payload) return invalid("malformed token payload");
    auto claims = json::parse(*payload);
    if (!claims) return invalid("token payload is not JSON");
    std::string_view sub, role;
    std::int64_t exp = 0;
    if (claims.value()["sub"].get(sub) || !is_uuid(sub)) return invalid("token subject must be a user id (UUID)");
    if (claims.value()["role"].get(role) || (role != "user" && role != "admin"))
        return invalid("token role must be user or admin");
    if (claims.value()["exp"].get(exp)) return invalid("token has no expiry");
    if (exp <= now_s)
        return Problem{ProblemKind::unauthorized, "token_expired", "the token has expired", "Authorization"};
    return Principal{normalize_uuid(sub), std::string(role)};
}

}  // namespace aimi::auth
