#pragma once

#include <string_view>
#include <type_traits>

#include "domain/events/events.hpp"

namespace aimi::learning {

//! The stream of the learning catalog (tracks, roadmaps, chat templates): one stream, so that the
//! fold sees every track when it decides a slug, a position or a template's next version. It is
//! keyed like a user's stream but belongs to nobody; only admins append to it.
inline constexpr std::string_view kCatalogStream = "00000000-0000-4000-8000-00000000ca7a";

template <class T>
inline constexpr bool is_catalog_event =
    std::is_same_v<T, events::TrackCreated> || std::is_same_v<T, events::TrackUpdated> ||
    std::is_same_v<T, events::RoadmapItemAdded> || std::is_same_v<T, events::RoadmapItemUpdated> ||
    std::is_same_v<T, events::RoadmapItemRemoved> || std::is_same_v<T, events::ChatTemplateCreated> ||
    std::is_same_v<T, events::ChatTemplatePublished>;

//! A user's part of learning tracks: sessions, threads, synopses, agent replies.
template <class T>
inline constexpr bool is_session_event =
    std::is_same_v<T, events::TrackSessionStarted> || std::is_same_v<T, events::TrackSessionUpdated> ||
    std::is_same_v<T, events::ChatThreadCreated> || std::is_same_v<T, events::SynopsisCreated> ||
    std::is_same_v<T, events::SynopsisUpdated> || std::is_same_v<T, events::AgentReplied>;

template <class T>
inline constexpr bool is_learning_event = is_catalog_event<T> || is_session_event<T>;

}  // namespace aimi::learning
