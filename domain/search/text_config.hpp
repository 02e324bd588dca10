#pragma once

#include <string>
#include <string_view>

namespace aimi::search {

//! The PostgreSQL text search configuration for a BCP 47 locale ("de-DE" -> "german"), by its
//! language subtag; "simple" (no stemming, no stop words) for languages PostgreSQL has none for.
std::string text_config_for_locale(std::string_view locale);

}  // namespace aimi::search
