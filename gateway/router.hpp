#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/problem.hpp"
#include "domain/text.hpp"

namespace aimi::gateway {

using PathParams = std::map<std::string, std::string>;

//! Maps (method, path pattern) to a route id. Patterns are literal segments and `{name}`
//! captures: "/v1/chats/{chat_id}/messages". Pure; no HTTP types.
template <class Target>
class Router {
  public:
    void add(std::string method, std::string_view pattern, Target target) {
        routes_.push_back(Route{std::move(method), split(pattern), std::move(target)});
    }

    struct Match {
        const Target* target;
        PathParams params;
    };

    //! The matching route, or a not_found / method_not_allowed Problem.
    std::variant<Match, Problem> match(std::string_view method, std::string_view path) const {
        const auto segments = split(path);
        bool path_known = false;
        for (const auto& route : routes_) {
            PathParams params;
            if (!matches(route.segments, segments, params)) continue;
            path_known = true;
            if (route.method == method) return Match{&route.target, std::move(params)};
        }
        if (path_known)
            return Problem{ProblemKind::method_not_allowed, "method_not_allowed",
                           std::string(method) + " is not supported on this path", ""};
        // The decoded path may hold any bytes; the JSON answer must stay valid UTF-8.
        return Problem::not_found("route_not_found", "no such endpoint: " + storable_text_or_hex(path));
    }

  private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        Target target;
    };

    static std::vector<std::string> split(std::string_view path) {
        std::vector<std::string> out;
        while (!path.empty()) {
            if (path.front() == '/') {
                path.remove_prefix(1);
                continue;
            }
            const auto slash = path.find('/');
            out.emplace_back(path.substr(0, slash));
            if (slash == std::string_view::npos) break;
            path.remove_prefix(slash);
        }
        return out;
    }

    static bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                        PathParams& params) {
        if (pattern.size() != path.size()) return false;
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            const auto& p = pattern[i];
            if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
                params[p.substr(1, p.size() - 2)] = path[i];
            } else if (p != path[i]) {
                return false;
            }
        }
        return true;
    }

    std::vector<Route> routes_;
};

}  // namespace aimi::gateway
