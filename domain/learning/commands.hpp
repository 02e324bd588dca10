#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/conversation/decide.hpp"
#include "domain/learning/chat_template.hpp"
#include "domain/result.hpp"

// Learning tracks' commands (docs/learning.md): request bodies checked against their schemas
// (schemas/commands/track.*, roadmap_item.*, chat_template.*, track_session.*, chat_thread.*,
// synopsis.*) and what each proposes. What needs the whole stream — slugs, positions, versions,
// one thread per tab, the live synopsis's revision — is decided by the fold.
namespace aimi::learning {

//! A body as its schema accepted it.
Result<boost::json::object> decode_body(std::string_view body, std::string_view schema_file);

Result<conversation::Decision> create_track(const conversation::DecisionContext& context, boost::json::object body);
Result<conversation::Decision> update_track(const std::string& track_id, boost::json::object body);
Result<conversation::Decision> add_roadmap_item(const conversation::DecisionContext& context,
                                                const std::string& track_id, boost::json::object body);
Result<conversation::Decision> update_roadmap_item(const std::string& track_id, const std::string& item_id,
                                                   boost::json::object body);
conversation::Decision remove_roadmap_item(const std::string& track_id, const std::string& item_id);
Result<conversation::Decision> create_template(const conversation::DecisionContext& context, boost::json::object body);
Result<conversation::Decision> publish_template(const std::string& template_id, boost::json::object body);

//! A template version a session pins.
struct PinnedTemplate {
    std::string template_id;
    std::int64_t version = 1;
};
//! `pins`: the latest version of every global template and of the track's templates, as the
//! catalog shows them now; the session keeps them for its whole life.
conversation::Decision start_track_session(const conversation::DecisionContext& context, boost::json::object body,
                                           const std::vector<PinnedTemplate>& pins);
Result<conversation::Decision> update_track_session(const std::string& session_id, boost::json::object body);
//! The thread and its chat (the conversation model's) in one record.
conversation::Decision create_thread(const conversation::DecisionContext& context, const std::string& session_id,
                                     const std::string& session_title, boost::json::object body);
Result<conversation::Decision> create_synopsis(const conversation::DecisionContext& context,
                                               const std::string& session_id, boost::json::object body);
//! PUT (replace) or POST (append) of a live synopsis's items; items get ids where they have none.
conversation::Decision update_synopsis(const conversation::DecisionContext& context, const std::string& synopsis_id,
                                       std::string_view mode, std::string_view source, boost::json::object body);

}  // namespace aimi::learning
