#pragma once

#include <string_view>

#include "domain/events/goal_events.hpp"

// Learning tracks (docs/learning.md, seed 004). The catalog's events (track.*, roadmap_item.*,
// chat_template.*) belong to the catalog stream (domain/learning/catalog.hpp); the others to the
// user's own stream. Like the goals graph's entities, their data is their schema's JSON as it is.
namespace aimi::events {

struct TrackCreatedTag {
    static constexpr std::string_view kType = "track.created";
};
struct TrackUpdatedTag {
    static constexpr std::string_view kType = "track.updated";
};
struct RoadmapItemAddedTag {
    static constexpr std::string_view kType = "roadmap_item.added";
};
struct RoadmapItemUpdatedTag {
    static constexpr std::string_view kType = "roadmap_item.updated";
};
struct RoadmapItemRemovedTag {
    static constexpr std::string_view kType = "roadmap_item.removed";
};
struct ChatTemplateCreatedTag {
    static constexpr std::string_view kType = "chat_template.created";
};
//! A new version of a template; the fold numbers it.
struct ChatTemplatePublishedTag {
    static constexpr std::string_view kType = "chat_template.published";
};
//! Pins the template versions the session uses for its whole life.
struct TrackSessionStartedTag {
    static constexpr std::string_view kType = "track_session.started";
};
struct TrackSessionUpdatedTag {
    static constexpr std::string_view kType = "track_session.updated";
};
//! A thread is a chat of the conversation model (chat.created in the same record) tied to one tab.
struct ChatThreadCreatedTag {
    static constexpr std::string_view kType = "chat_thread.created";
};
//! A snapshot (a copy of the live synopsis at this point of the stream) or an imported synopsis.
struct SynopsisCreatedTag {
    static constexpr std::string_view kType = "synopsis.created";
};
//! The live synopsis's items replaced or appended to, by the user or by the assistant.
struct SynopsisUpdatedTag {
    static constexpr std::string_view kType = "synopsis.updated";
};
//! One answer of an agent route, with the template version it used and what it wrote.
struct AgentRepliedTag {
    static constexpr std::string_view kType = "agent.replied";
};

using TrackCreated = EntityEvent<TrackCreatedTag>;
using TrackUpdated = EntityEvent<TrackUpdatedTag>;
using RoadmapItemAdded = EntityEvent<RoadmapItemAddedTag>;
using RoadmapItemUpdated = EntityEvent<RoadmapItemUpdatedTag>;
using RoadmapItemRemoved = EntityEvent<RoadmapItemRemovedTag>;
using ChatTemplateCreated = EntityEvent<ChatTemplateCreatedTag>;
using ChatTemplatePublished = EntityEvent<ChatTemplatePublishedTag>;
using TrackSessionStarted = EntityEvent<TrackSessionStartedTag>;
using TrackSessionUpdated = EntityEvent<TrackSessionUpdatedTag>;
using ChatThreadCreated = EntityEvent<ChatThreadCreatedTag>;
using SynopsisCreated = EntityEvent<SynopsisCreatedTag>;
using SynopsisUpdated = EntityEvent<SynopsisUpdatedTag>;
using AgentReplied = EntityEvent<AgentRepliedTag>;

}  // namespace aimi::events
