#include "domain/text.hpp"
#include "gateway/api_error.hpp"
#include "gateway/console_assets.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

namespace {

Reply asset_response(const Call& call, std::string_view name, bool dev_sign_in) {
    const auto asset = console::find_asset(name);
    if (!asset)
        return fail(call, Problem::not_found("console_file_not_found",
                                             "the console has no file '" + storable_text_or_hex(name) + "'", "file"));
    http::Response response;
    response.content_type = std::string(asset->content_type);
    response.body = std::string(asset->body);
    // The page learns whether it may offer the development sign-in from its own markup, so it
    // never probes an endpoint that may not exist.
    if (dev_sign_in) {
        constexpr std::string_view off = R"(<meta name="aimi-dev-sign-in" content="off">)";
        if (const auto at = response.body.find(off); at != std::string::npos)
            response.body.replace(at, off.size(), R"(<meta name="aimi-dev-sign-in" content="on">)");
    }
    response.headers = console::security_headers();
    return response;
}

}  // namespace

//! GET /console — the web console's page (docs/console.md); it signs in and talks to the public API.
Reply console_page(const Call& call) {
    return asset_response(call, "index.html", call.gateway.dev_sign_in);
}

//! GET /console/{file} — its scripts, style sheet and icon, compiled into the gateway.
Reply console_asset(const Call& call) {
    return asset_response(call, call.params.at("file"), call.gateway.dev_sign_in);
}

}  // namespace aimi::gateway::handlers
