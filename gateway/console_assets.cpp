#include "gateway/console_assets.hpp"

#include <algorithm>

#include "domain/embedded_file.hpp"

namespace aimi_console {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}

namespace aimi::gateway::console {

namespace {
constexpr std::string_view kPrefix = "console/";
}

std::optional<std::string_view> content_type_of(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto ext = name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "svg") return "image/svg+xml";
    return std::nullopt;
}

std::optional<Asset> find_asset(std::string_view name) {
    const auto& files = aimi_console::embedded_files();
    // Names are looked up in the compiled-in table, never on disk: no path can escape it.
    const auto it = std::find_if(files.begin(), files.end(), [&](const EmbeddedFile& f) {
        return f.name.starts_with(kPrefix) && f.name.substr(kPrefix.size()) == name;
    });
    if (it == files.end()) return std::nullopt;
    const auto type = content_type_of(name);
    if (!type) return std::nullopt;
    return Asset{it->contents, *type};
}

std::vector<std::string> asset_names() {
    std::vector<std::string> names;
    for (const auto& f : aimi_console::embedded_files())
        names.emplace_back(std::string_view(f.name).substr(kPrefix.size()));
    return names;
}

const std::vector<std::pair<std::string, std::string>>& security_headers() {
    // connect-src 'self' covers the same origin's ws:// (CSP Level 3) for GET /v1/live.
    static const std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; "
         "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"Cache-Control", "no-cache"},
    };
    return headers;
}

}  // namespace aimi::gateway::console
