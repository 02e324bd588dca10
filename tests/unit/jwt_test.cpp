// Unit tests for domain/auth/jwt: HS256 sign/verify and every way a token is refused.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

#include "domain/auth/jwt.hpp"

namespace {

using aimi::ProblemKind;
using aimi::auth::Principal;
using aimi::auth::sign_token;
using aimi::auth::verify_token;

constexpr const char* kUser = "123e4567-e89b-42d3-a456-426614174000";
constexpr const char* kSecret = "test-secret-of-reasonable-length";
constexpr std::int64_t kNow = 1'800'000'000;

// Test-side JWT pieces, so tokens can be crafted independently of sign_token.
std::string b64url(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int shift : {18, 12, 6, 0}) out.push_back(alphabet[(v >> shift) & 0x3F]);
    }
    if (in.size() - i == 1) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out.push_back(alphabet[(v >> 18) & 0x3F]);
        out.push_back(alphabet[(v >> 12) & 0x3F]);
    } else if (in.size() - i == 2) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out.push_back(alphabet[(v >> 18) & 0x3F]);
        out.push_back(alphabet[(v >> 12) & 0x3F]);
        out.push_back(alphabet[(v >> 6) & 0x3F]);
    }
    return out;
}

std::string hs256(std::string_view key, std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), digest, &length);
    return std::string(reinterpret_cast<const char*>(digest), length);
}

//! header.payload signed with HS256 over the given JSON texts.
std::string craft(std::string_view header_json, std::string_view payload_json, std::string_view secret = kSecret) {
    const auto input = b64url(header_json) + "." + b64url(payload_json);
    return input + "." + b64url(hs256(secret, input));
}
constexpr const char* kHeader = R"({"alg":"HS256","typ":"JWT"})";
std::string claims(std::string_view sub = kUser, std::string_view role = "user", std::int64_t exp = kNow + 60) {
    return R"({"sub":")" + std::string(sub) + R"(","role":")" + std::string(role) + R"(","iat":)" +
           std::to_string(kNow) + R"(,"exp":)" + std::to_string(exp) + "}";
}

std::vector<std::string> parts(const std::string& token) {
    std::vector<std::string> out(1);
    for (char c : token) {
        if (c == '.')
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

void expect_refused(const std::string& token, const std::string& code = "invalid_token",
                    std::string_view secret = kSecret, std::int64_t now = kNow) {
    const auto r = verify_token(token, secret, now);
    ASSERT_FALSE(r.ok()) << "accepted: " << token;
    EXPECT_EQ(r.problem().kind, ProblemKind::unauthorized);
    EXPECT_EQ(r.problem().code, code) << r.problem().message;
    EXPECT_EQ(r.problem().field, "Authorization");
    EXPECT_FALSE(r.problem().message.empty());
}

TEST(Jwt, SignThenVerifyRoundTrips) {
    for (const char* role : {"user", "admin"}) {
        SCOPED_TRACE(role);
        const auto token = sign_token(Principal{kUser, role}, kSecret, kNow, 3600);
        EXPECT_EQ(parts(token).size(), 3u);
        EXPECT_EQ(token.find('='), std::string::npos) << "base64url without padding";
        const auto r = verify_token(token, kSecret, kNow);
        ASSERT_TRUE(r.ok()) << r.problem().message;
        EXPECT_EQ(r->user_id, kUser);
        EXPECT_EQ(r->role, role);
        EXPECT_EQ(r->is_admin(), std::string(role) == "admin");
    }
}

TEST(Jwt, SignedTokenIsStandardHs256) {
    // A token crafted independently with the same claims carries the same signature.
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    const auto p = parts(token);
    EXPECT_EQ(p[0], b64url(kHeader));
    EXPECT_EQ(p[2], b64url(hs256(kSecret, p[0] + "." + p[1])));
    // And a crafted token verifies.
    EXPECT_TRUE(verify_token(craft(kHeader, claims()), kSecret, kNow).ok());
}

TEST(Jwt, SubjectIsNormalizedToLowerCase) {
    const auto token = craft(kHeader, claims("123E4567-E89B-42D3-A456-426614174000"));
    const auto r = verify_token(token, kSecret, kNow);
    ASSERT_TRUE(r.ok()) << r.problem().message;
    EXPECT_EQ(r->user_id, kUser);
}

TEST(Jwt, ExpiryIsExclusive) {
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    EXPECT_TRUE(verify_token(token, kSecret, kNow + 59).ok());
    expect_refused(token, "token_expired", kSecret, kNow + 60);
    expect_refused(token, "token_expired", kSecret, kNow + 100000);
    expect_refused(sign_token(Principal{kUser, "user"}, kSecret, kNow, 0), "token_expired");
}

TEST(Jwt, TamperedPayloadIsInvalid) {
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    const auto p = parts(token);
    expect_refused(p[0] + "." + b64url(claims(kUser, "admin")) + "." + p[2]);
    expect_refused(p[0] + "." + b64url(claims(kUser, "user", kNow + 999999)) + "." + p[2]);
}

TEST(Jwt, TamperedSignatureIsInvalid) {
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    const auto p = parts(token);
    for (std::size_t i : {std::size_t{0}, std::size_t{10}, p[2].size() / 2}) {
        SCOPED_TRACE(i);
        auto sig = p[2];
        sig[i] = sig[i] == 'A' ? 'B' : 'A';
        expect_refused(p[0] + "." + p[1] + "." + sig);
    }
    expect_refused(p[0] + "." + p[1] + ".");                       // no signature
    expect_refused(p[0] + "." + p[1] + "." + p[2].substr(0, 40));  // truncated
    expect_refused(p[0] + "." + p[1] + "." + p[2] + "AAAA");       // extended
}

TEST(Jwt, WrongSecretIsInvalid) {
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    expect_refused(token, "invalid_token", "another-secret");
    expect_refused(token, "invalid_token", "");
}

TEST(Jwt, OnlyHs256IsAccepted) {
    // "alg":"none" with no signature.
    expect_refused(b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(claims()) + ".");
    // "alg":"none" even with a valid HMAC: the header must say HS256.
    expect_refused(craft(R"({"alg":"none","typ":"JWT"})", claims()));
    expect_refused(craft(R"({"alg":"HS512","typ":"JWT"})", claims()));
    expect_refused(craft(R"({"alg":"RS256","typ":"JWT"})", claims()));
    expect_refused(craft(R"({"alg":"hs256","typ":"JWT"})", claims()));
    expect_refused(craft(R"({"typ":"JWT"})", claims()));
    expect_refused(craft(R"({"alg":256})", claims()));
    expect_refused(craft("not json", claims()));
    expect_refused(craft("[]", claims()));
}

TEST(Jwt, ClaimsAreChecked) {
    expect_refused(craft(kHeader, claims("not-a-uuid")));
    expect_refused(craft(kHeader, claims("")));
    expect_refused(craft(kHeader, claims(kUser, "root")));
    expect_refused(craft(kHeader, claims(kUser, "Admin")));
    expect_refused(craft(kHeader, claims(kUser, "")));
    expect_refused(craft(kHeader, R"({"role":"user","exp":1900000000})"));                          // no sub
    expect_refused(craft(kHeader, R"({"sub":")" + std::string(kUser) + R"(","exp":1900000000})"));  // no role
    expect_refused(craft(kHeader, R"({"sub":")" + std::string(kUser) + R"(","role":"user"})"));     // no exp
    expect_refused(craft(kHeader, R"({"sub":")" + std::string(kUser) + R"(","role":"user","exp":"1900000000"})"));
    expect_refused(craft(kHeader, R"({"sub":5,"role":"user","exp":1900000000})"));
    expect_refused(craft(kHeader, "not json"));
    expect_refused(craft(kHeader, "[1]"));
}

TEST(Jwt, MalformedTokensAreInvalid) {
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    const auto p = parts(token);
    const std::vector<std::string> bad = {
        "",
        ".",
        "..",
        "abc",
        p[0] + "." + p[1],                      // two parts
        token + ".extra",                       // four parts
        p[0] + "." + p[1] + "." + p[2] + ".",   // trailing dot
        "!!!.###.$$$",                          // not base64url
        p[0] + "=." + p[1] + "." + p[2],        // padding is not base64url
        p[0] + "." + p[1] + "." + p[2] + "==",  // padded signature
        "Bearer " + token,                      // scheme left in
        std::string("e30.e30.") + p[2],         // {}.{} with a foreign signature
        p[0] + "." + p[1] + "+." + p[2],        // standard-base64 character
    };
    for (const auto& t : bad) {
        SCOPED_TRACE(t);
        expect_refused(t);
    }
}

TEST(Jwt, SignatureEncodingIsCanonical) {
    const auto token = sign_token(Principal{kUser, "user"}, kSecret, kNow, 60);
    auto altered = token;
    // 32 bytes = 43 characters: the last one carries 4 data bits and 2 padding bits.
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const auto pos = alphabet.find(altered.back());
    altered.back() = alphabet[pos ^ 1];
    ASSERT_NE(altered, token);
    expect_refused(altered);
}

}  // namespace
