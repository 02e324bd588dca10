#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aimi::gateway::console {

//! One static file of the console (gateway/console/), compiled into the gateway.
struct Asset {
    std::string_view body;
    std::string_view content_type;
};

//! The file `name` ("index.html", "chat.js", ...), or nullopt when there is no such file.
std::optional<Asset> find_asset(std::string_view name);

//! Every file's name, for tests.
std::vector<std::string> asset_names();

//! The content type served for a file name, by extension; nullopt for one the console does not use.
std::optional<std::string_view> content_type_of(std::string_view name);

//! The headers every console response carries: a Content-Security-Policy that allows only the
//! console's own files (no inline script or style, no other origin, no framing), no MIME
//! sniffing, no referrer, and revalidation on each load (the files change with the binary).
const std::vector<std::pair<std::string, std::string>>& security_headers();

}  // namespace aimi::gateway::console
