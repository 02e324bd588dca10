#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"

namespace aimi::gateway::handlers {

//! Liveness: the process serves HTTP. Dependencies are /ready's business.
Reply health(const Call&) {
    return json_response(200, boost::json::object{{"status", "ok"}});
}

}  // namespace aimi::gateway::handlers
