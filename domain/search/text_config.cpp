#include "domain/search/text_config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace aimi::search {

std::string text_config_for_locale(std::string_view locale) {
    // The configurations PostgreSQL 15 ships, by ISO 639-1 language.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kByLanguage{{
        {"ar", "arabic"},    {"ca", "catalan"},    {"da", "danish"},     {"de", "german"},   {"el", "greek"},
        {"en", "english"},   {"es", "spanish"},    {"eu", "basque"},     {"fi", "finnish"},  {"fr", "french"},
        {"ga", "irish"},     {"hi", "hindi"},      {"hu", "hungarian"},  {"hy", "armenian"}, {"id", "indonesian"},
        {"it", "italian"},   {"lt", "lithuanian"}, {"nb", "norwegian"},  {"ne", "nepali"},   {"nl", "dutch"},
        {"nn", "norwegian"}, {"no", "norwegian"},  {"pt", "portuguese"}, {"ro", "romanian"}, {"ru", "russian"},
        {"sr", "serbian"},   {"sv", "swedish"},
    }};
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kMore{
        {{"ta", "tamil"}, {"tr", "turkish"}, {"yi", "yiddish"}}};
    std::string language;
    for (const char c : locale) {
        if (c == '-' || c == '_') break;
        language += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const auto& [code, config] : kByLanguage)
        if (code == language) return std::string(config);
    for (const auto& [code, config] : kMore)
        if (code == language) return std::string(config);
    return "simple";
}

}  // namespace aimi::search
