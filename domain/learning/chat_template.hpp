#pragma once

#include <map>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "domain/problem.hpp"
#include "domain/result.hpp"

namespace aimi::learning {

//! A template's variables: name -> default (nullopt: the caller must supply it).
using TemplateVariables = std::map<std::string, std::optional<std::string>>;

//! Reads the `variables` object of a template body (`field` names it in a Problem): names are
//! [A-Za-z_][A-Za-z0-9_]{0,63}, values strings (the default) or null (no default).
Result<TemplateVariables> decode_template_variables(const boost::json::object& variables, const std::string& field);

//! Checks a template before it is stored: Mustache that parses (an unclosed tag or section is
//! 400 invalid_template, /content), and every variable it uses declared (400 undeclared_variable).
std::optional<Problem> check_template(const std::string& content, const TemplateVariables& variables);

//! Renders with the values, in this order of precedence: `supplied` (a request's variables),
//! `provided` (what the caller knows: the track's title, the person's name, ...), the defaults.
//! A supplied name the template does not declare is 400 unknown_variable (/variables/<name>); a
//! variable the rendering reaches with no value is 400 missing_variable (/variables/<name>).
//! No HTML escaping: the output is a prompt, not a page.
Result<std::string> render_template(const std::string& content, const TemplateVariables& variables,
                                    const boost::json::object& supplied,
                                    const std::map<std::string, std::string>& provided = {});

}  // namespace aimi::learning
