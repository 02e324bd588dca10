#include "gateway/openapi_document.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <boost/json/value.hpp>

#include "domain/embedded_file.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"

namespace aimi_schemas {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}
namespace aimi_openapi {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}

namespace aimi::gateway {

namespace {

boost::json::value parsed(std::string_view text, std::string_view name) {
    auto value = json::parse_value(text);
    if (!value) throw std::logic_error(std::string(name) + " is not JSON: " + value.problem().message);
    return std::move(value.value());
}

boost::json::value build() {
    const auto& files = aimi_openapi::embedded_files();
    if (files.size() != 1) throw std::logic_error("expected exactly one OpenAPI document");
    auto doc = parsed(files.front().contents, files.front().name);
    auto& schemas = doc.at("components").as_object()["schemas"].as_object();
    for (const auto& file : aimi_schemas::embedded_files()) {
        std::string_view name = file.name;
        if (!name.starts_with("commands/")) continue;
        name.remove_prefix(9);
        name.remove_suffix(5);  // ".json"
        auto schema = parsed(file.contents, file.name);
        // $id would re-base the document's references; the name under components says it all.
        schema.as_object().erase("$id");
        schemas[name] = std::move(schema);
    }
    return doc;
}

}  // namespace

const std::string& openapi_document() {
    static const std::string document = json::serialize(build());
    return document;
}

std::vector<std::pair<std::string, std::string>> openapi_operations() {
    const auto doc = parsed(openapi_document(), "openapi");
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [path, item] : doc.at("paths").as_object())
        for (const auto& [method, operation] : item.as_object()) {
            std::string upper(method);
            std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
            out.emplace_back(upper, std::string(path));
        }
    return out;
}

}  // namespace aimi::gateway
