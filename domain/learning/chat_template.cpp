#include "domain/learning/chat_template.hpp"

#include <set>

#include <kainjow/mustache.hpp>

#include "domain/json/serialize.hpp"

namespace aimi::learning {

namespace {

namespace mu = kainjow::mustache;

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

//! Looks names up in one flat set of values and remembers the ones it lacked; with `every_name`
//! it answers every lookup (so each section renders and every tag is seen).
class RecordingContext final : public mu::basic_context<std::string> {
  public:
    RecordingContext(const mu::data* values, bool every_name) : every_name_(every_name) { stack_.push_back(values); }
    void push(const mu::data* data) override { stack_.insert(stack_.begin(), data); }
    void pop() override { stack_.erase(stack_.begin()); }
    const mu::data* get(const std::string& name) const override {
        if (name == ".") return stack_.front();
        seen_.insert(name);
        for (const auto* item : stack_)
            if (item)
                if (const auto* v = item->get(name)) return v;
        if (every_name_) return &placeholder_;
        missing_.insert(name);
        return nullptr;
    }
    const mu::data* get_partial(const std::string&) const override { return nullptr; }

    const std::set<std::string>& seen() const { return seen_; }
    const std::set<std::string>& missing() const { return missing_; }

  private:
    std::vector<const mu::data*> stack_;
    bool every_name_;
    mu::data placeholder_{std::string("x")};
    mutable std::set<std::string> seen_, missing_;
};

mu::mustache parse(const std::string& content) {
    mu::mustache parsed{content};
    parsed.set_custom_escape([](const std::string& s) { return s; });
    return parsed;
}

}  // namespace

Result<TemplateVariables> decode_template_variables(const boost::json::object& variables, const std::string& field) {
    TemplateVariables out;
    for (const auto& [key, value] : variables) {
        const std::string name(key);
        if (!valid_name(name))
            return Problem::invalid("invalid_variable_name",
                                    "a variable name is letters, digits and _ (not first a digit), at most 64",
                                    field + "/" + name);
        if (value.is_null()) {
            out[name] = std::nullopt;
        } else if (value.is_string()) {
            if (value.get_string().size() > 4000)
                return Problem::invalid("invalid_value", "a default is at most 4000 characters", field + "/" + name);
            out[name] = std::string(value.get_string());
        } else {
            return Problem::invalid("invalid_value", "a variable's default is a string, or null for none",
                                    field + "/" + name);
        }
    }
    return out;
}

std::optional<Problem> check_template(const std::string& content, const TemplateVariables& variables) {
    auto parsed = parse(content);
    if (!parsed.is_valid()) return Problem::invalid("invalid_template", parsed.error_message(), "/content");
    mu::data none{mu::data::type::object};
    RecordingContext every(&none, true);
    parsed.render(every);
    for (const auto& name : every.seen())
        if (!variables.contains(name))
            return Problem::invalid(
                "undeclared_variable",
                "the template uses {{" + name + "}}; declare it in variables (with a default or null)",
                "/variables/" + name);
    return std::nullopt;
}

Result<std::string> render_template(const std::string& content, const TemplateVariables& variables,
                                    const boost::json::object& supplied,
                                    const std::map<std::string, std::string>& provided) {
    auto parsed = parse(content);
    if (!parsed.is_valid()) return Problem::invalid("invalid_template", parsed.error_message(), "/content");
    mu::data values{mu::data::type::object};
    for (const auto& [name, fallback] : variables) {
        if (const auto it = provided.find(name); it != provided.end())
            values.set(name, it->second);
        else if (fallback)
            values.set(name, *fallback);
    }
    for (const auto& [key, value] : supplied) {
        const std::string name(key);
        if (!variables.contains(name))
            return Problem::invalid("unknown_variable", "the template has no variable " + name, "/variables/" + name);
        if (value.is_string())
            values.set(name, std::string(value.get_string()));
        else if (value.is_bool())
            values.set(name, value.get_bool() ? mu::data::type::bool_true : mu::data::type::bool_false);
        else if (value.is_number())
            values.set(name, json::serialize(value));
        else
            return Problem::invalid("invalid_value", "a variable's value is a string, number or boolean",
                                    "/variables/" + name);
    }
    RecordingContext context(&values, false);
    auto rendered = parsed.render(context);
    if (!context.missing().empty()) {
        const auto& name = *context.missing().begin();
        return Problem::invalid("missing_variable", "no value for the template's variable " + name,
                                "/variables/" + name);
    }
    return rendered;
}

}  // namespace aimi::learning
