#include "workers/providers/openai/tool_definitions.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/json/string.hpp>

#include "domain/assistant/tools.hpp"
#include "domain/embedded_file.hpp"
#include "domain/json/convert.hpp"

// The table aimi_embed_files generates for schemas/ (cmake/AimiEmbed.cmake); domain/schema reads
// the same one, so the model is told exactly the schemas the decoder checks.
namespace aimi_schemas {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}

namespace aimi::providers::openai {

namespace bj = boost::json;
namespace tools = assistant::tools;

namespace {

// Annotations, and the value constraints: a model needs the shape of a call (types, properties,
// required, enums), not its limits — the decoder checks every limit of the full schema and a refusal
// names the field back to the model. llama.cpp's grammar builder (a local server) fails on the
// limits of these schemas (maxLength 32000 and the like).
constexpr std::array<std::string_view, 13> kRemoved = {
    "$id",     "$schema", "title",    "x-personal",  "format",        "minLength", "maxLength",
    "minimum", "maximum", "maxItems", "uniqueItems", "maxProperties", "default"};
//! Keywords whose value is a map from a name to a schema: the names are data, not keywords.
constexpr std::array<std::string_view, 3> kSchemaMaps = {"properties", "patternProperties", "$defs"};
//! Keywords whose value is a JSON value, not a schema: left as they are.
constexpr std::array<std::string_view, 5> kValues = {"enum", "const", "default", "examples", "required"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view name) {
    for (const auto n : names)
        if (n == name) return true;
    return false;
}

void strip_value(bj::value& value);

void strip_object(bj::object& schema) {
    for (const auto key : kRemoved) schema.erase(key);
    for (auto& [key, value] : schema) {
        if (one_of(kValues, key)) continue;
        if (one_of(kSchemaMaps, key) && value.is_object()) {
            for (auto& [name, property] : value.as_object()) strip_value(property);
            continue;
        }
        strip_value(value);  // items, additionalProperties, anyOf [...], ...
    }
}

void strip_value(bj::value& value) {
    if (auto* object = value.if_object()) strip_object(*object);
    if (auto* array = value.if_array())
        for (auto& element : *array) strip_value(element);
}

struct WriteTool {
    std::string_view name;
    std::string_view schema;  // under schemas/commands/
    std::string_view description;
};

// Descriptions say when to use a tool; the parameters say how (from the schemas).
constexpr std::array<WriteTool, 5> kCreateTools{{
    {tools::kCreateCalendarEvent, "calendar_event.create.v1.json",
     "Create a calendar event or a reminder for the user. Times are local wall-clock "
     "\"YYYY-MM-DDTHH:MM:SS\" in the user's time zone (leave time_zone out). For a reminder set `due` and "
     "reminder_offsets_minutes [0]; for a repeating event set rrule (RFC 5545)."},
    {tools::kCreateGoal, "goal.create.v1.json", "Create a goal the user wants to reach."},
    {tools::kCreateTask, "task.create.v1.json", "Add a task to the user's to-do list."},
    {tools::kCreateHabit, "habit.create.v1.json", "Create a habit the user wants to keep (a recurring practice)."},
    {tools::kRecordMentalState, "mental_state.create.v1.json",
     "Record a check-in: how the user feels now (mood, energy, emotions) as they said it."},
}};

bj::object function(std::string_view name, std::string_view description, bj::object parameters) {
    return bj::object{
        {"type", "function"},
        {"function", bj::object{{"name", name}, {"description", description}, {"parameters", std::move(parameters)}}}};
}

bj::object uuid_property(std::string_view description) {
    return bj::object{{"type", "string"}, {"format", "uuid"}, {"description", description}};
}

bj::object date_property(std::string_view description) {
    return bj::object{{"type", "string"}, {"format", "date"}, {"description", description}};
}

bj::array build() {
    bj::array out;
    for (const auto& tool : kCreateTools)
        out.push_back(function(tool.name, tool.description, strip_schema(command_schema(tool.schema))));

    // update_task: {"task_id"} + the PATCH body, as domain/assistant/tool_commands.cpp decodes it.
    auto update = strip_schema(command_schema("task.update.v1.json"));
    auto& properties = update["properties"].as_object();
    properties["task_id"] = uuid_property("The id of one of the user's tasks, as the context lists it.");
    bj::array required{"task_id"};
    if (const auto* existing = update.if_contains("required"))
        for (const auto& name : existing->as_array())
            if (name != "task_id") required.push_back(name);
    update["required"] = std::move(required);
    out.push_back(function(tools::kUpdateTask,
                           "Change one of the user's tasks: mark it done (status \"done\"), rename it, move its due "
                           "date, ...",
                           std::move(update)));

    out.push_back(function(
        tools::kListSchedule, "List the user's calendar occurrences between two local dates (at most 31 days).",
        bj::object{
            {"type", "object"},
            {"additionalProperties", false},
            {"required", bj::array{"from", "to"}},
            {"properties", bj::object{{"from", date_property("First day, YYYY-MM-DD, in the user's zone.")},
                                      {"to", date_property("The day after the last, YYYY-MM-DD (exclusive).")}}}}));
    out.push_back(function(
        tools::kGoalProgress, "How one of the user's goals is going: its prerequisites and its open and done tasks.",
        bj::object{
            {"type", "object"},
            {"additionalProperties", false},
            {"required", bj::array{"goal_id"}},
            {"properties",
             bj::object{{"goal_id", uuid_property("The id of one of the user's goals, as the context lists it.")}}}}));
    return out;
}

}  // namespace

bj::object strip_schema(bj::object schema) {
    strip_object(schema);
    return schema;
}

bj::object command_schema(std::string_view file_name) {
    const std::string name = fmt::format("commands/{}", file_name);
    for (const auto& file : aimi_schemas::embedded_files()) {
        if (file.name != name) continue;
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        if (const auto error = parser.parse(file.contents.data(), file.contents.size(), true).get(doc))
            throw std::logic_error(fmt::format("schema {}: {}", name, simdjson::error_message(error)));
        auto value = json::to_boost(doc);
        if (!value.is_object()) throw std::logic_error(fmt::format("schema {} is not a JSON object", name));
        return std::move(value.as_object());
    }
    throw std::logic_error(fmt::format("no compiled-in schema {}", name));
}

bj::array tool_definitions() {
    static const bj::array definitions = build();
    return definitions;
}

}  // namespace aimi::providers::openai
