#include "gateway/api_error.hpp"
#include "domain/json/serialize.hpp"

namespace aimi::gateway {

int http_status(ProblemKind kind) {
    switch (kind) {
        case ProblemKind::invalid_input:
            return 400;
        case ProblemKind::unauthorized:
            return 401;
        case ProblemKind::forbidden:
            return 403;
        case ProblemKind::not_found:
            return 404;
        case ProblemKind::conflict:
            return 409;
        case ProblemKind::gone:
            return 410;
        case ProblemKind::payload_too_large:
            return 413;
        case ProblemKind::method_not_allowed:
            return 405;
        case ProblemKind::unsupported_media_type:
            return 415;
        case ProblemKind::unprocessable:
            return 422;
        case ProblemKind::too_many_requests:
            return 429;
        case ProblemKind::unavailable:
            return 503;
        case ProblemKind::timeout:
            return 504;
        case ProblemKind::internal:
            return 500;
    }
    return 500;
}

http::Response error_response(const Problem& problem, const std::string& request_id) {
    boost::json::object error{{"code", problem.code}, {"message", problem.message}, {"request_id", request_id}};
    error["field"] = problem.field.empty() ? boost::json::value(nullptr) : boost::json::value(problem.field);
    if (!problem.details.empty()) error["details"] = problem.details;
    auto response = json_response(http_status(problem.kind), boost::json::object{{"error", std::move(error)}});
    if (problem.kind == ProblemKind::unauthorized) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    if (problem.kind == ProblemKind::unavailable || problem.kind == ProblemKind::too_many_requests)
        response.headers.emplace_back("Retry-After", "1");
    return response;
}

http::Response json_response(int status, const boost::json::value& body) {
    http::Response response;
    response.status = status;
    response.body = json::serialize(body);
    return response;
}

}  // namespace aimi::gateway
