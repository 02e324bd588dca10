#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/time.hpp"

// What a turn knows when it answers a message: a pure snapshot of the read models (the orchestrator
// loads them; the context builder trims them to a budget). Nothing here is fetched by a provider.
namespace aimi::assistant {

struct GoalView {
    std::string id;
    std::string title;
    std::string status;  //!< active, done, paused, cancelled, archived
    bool blocked = false;
    std::optional<std::string> deadline;  //!< YYYY-MM-DD
    int priority = 3;
    std::int64_t open_prerequisites = 0;  //!< goals it waits for that are not done
    std::int64_t done_prerequisites = 0;
};

struct TaskView {
    std::string id;
    std::string title;
    std::string status;                   //!< open, blocked, done, archived
    std::optional<std::string> due_date;  //!< YYYY-MM-DD
};

//! One occurrence of a calendar event, placed in the user's zone.
struct EventView {
    std::string id;
    std::string title;
    std::string local_start;  //!< "YYYY-MM-DDTHH:MM:SS", or "YYYY-MM-DD" when all-day, in the user's zone
    Timestamp start;
    bool all_day = false;
    bool recurring = false;
};

struct ReminderView {
    std::string title;
    Timestamp trigger_at;
    std::string local_trigger;  //!< "YYYY-MM-DDTHH:MM:SS" in the user's zone
};

struct MemoryView {
    std::string kind;  //!< message, summary, fact, goal, event, note
    std::string text;
    Timestamp at;
    double score = 0;
};

struct MessageView {
    std::int64_t seq = 0;
    std::string role;
    std::string content;
};

//! The context of one turn. Lists are in the order they are worth keeping (the builder drops from
//! their ends); recent_messages is oldest first (the builder drops the oldest).
struct Context {
    std::string user_id;
    std::string user_name;
    std::string time_zone = "UTC";  //!< IANA
    std::string locale;             //!< e.g. "en-US", "ru-RU"; may be empty
    Timestamp now;                  //!< the triggering message's time: a replay resolves "tomorrow" the same
    std::string local_now;          //!< "YYYY-MM-DDTHH:MM:SS" in time_zone
    std::vector<GoalView> goals;    //!< active first, then by priority
    std::vector<TaskView> tasks;    //!< open ones
    std::vector<EventView> upcoming;
    std::vector<ReminderView> reminders;
    std::vector<MemoryView> memories;
    std::optional<std::string> user_state;  //!< the latest summary's text
    std::optional<int> recent_mood;         //!< 1..10, the latest check-in within a week
    std::vector<MessageView> recent_messages;
};

}  // namespace aimi::assistant
