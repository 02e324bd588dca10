#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string_view>

// The assistant's tools as an OpenAI "tools" array. The write tools' parameters are generated from
// the command schemas compiled into the binary (schemas/commands), so what the model is told and
// what the decoder checks have one source of truth.
namespace aimi::providers::openai {

//! [{"type":"function","function":{"name","description","parameters"}}] for every tool of
//! domain/assistant/tools.hpp, write tools first. Built once; each call returns a copy.
//! @throws std::logic_error when a compiled-in schema is missing or not a JSON object.
boost::json::array tool_definitions();

//! `schema` without the keywords a model has no use for or must not see ("$id", "$schema",
//! "title", "x-personal"), at every level; property names are kept (a property may be called
//! "title").
boost::json::object strip_schema(boost::json::object schema);

//! The compiled-in schema "commands/<name>" as JSON (e.g. "task.create.v1.json").
//! @throws std::logic_error for an unknown name.
boost::json::object command_schema(std::string_view file_name);

}  // namespace aimi::providers::openai
