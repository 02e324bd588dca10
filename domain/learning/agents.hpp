#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aimi::learning {

//! One agent route of seed 004: POST /v1/agents/{agent_id}/{version}/{action}. Each writes, when
//! asked, into the session's thread of its tab.
struct AgentRoute {
    std::string_view agent_id;  //!< also the name of the chat template it renders
    std::string_view version;
    std::string_view action;
    std::string_view tab;
};

//! mentor_chat/v1/reply (chat), practice_coach/v1/hint (practice), simulation_mentor/v1/turn
//! (simulation); nullptr for anything else.
const AgentRoute* find_agent_route(std::string_view agent_id, std::string_view version, std::string_view action);
const std::vector<AgentRoute>& agent_routes();

struct RoadmapStep {
    std::string title;
    std::string description;
};

struct ThreadMessage {
    std::string role;
    std::string content;
};

//! What an agent answers from.
struct AgentInput {
    std::string instructions;  //!< the rendered chat template (the system prompt), may be empty
    std::string track_title;   //!< empty without a session
    std::vector<RoadmapStep> roadmap;
    std::vector<ThreadMessage> history;  //!< the thread's latest messages, oldest first
    std::string message;
    std::string locale;  //!< "ru..." answers in Russian
};

//! The deterministic agent (the default provider): picks the roadmap step the message is about
//! (most shared words; else the step after those the thread already covered) and answers as the
//! route's role — a mentor's explanation, a practice hint, a simulation's next turn. Same input,
//! same reply.
std::string rule_based_agent_reply(const AgentRoute& route, const AgentInput& input);

//! The 1-based roadmap step the message is about, or nullopt without a roadmap.
std::optional<std::size_t> pick_roadmap_step(const AgentInput& input);

}  // namespace aimi::learning
