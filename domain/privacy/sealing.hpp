#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/privacy/data_key.hpp"

namespace aimi::privacy {

//! The personal fields of an event type: its schema's "x-personal" properties.
const std::vector<std::string>& personal_fields(std::string_view type, int version);

//! The personal fields of a resource's public JSON (facts carry it as the resource's state):
//! user email, display_name, settings; device token; chat title, settings; message content, metadata.
const std::vector<std::string>& personal_resource_fields(std::string_view resource_type);

//! Seals in place each of `fields` present (not null) in `object`, for `user_id`; the value's
//! JSON text is sealed, bound to the user, `scope` (e.g. "event:message.posted.v1") and the field.
void seal_fields(boost::json::object& object, const std::vector<std::string>& fields, const std::string& user_id,
                 std::string_view scope, const DataKey& key);

//! True if any of `fields` holds a sealed value.
bool has_sealed_fields(const boost::json::object& object, const std::vector<std::string>& fields);

enum class Opened {
    plain,     //!< every field readable (opened, or never sealed: records from before sealing)
    erased,    //!< no key (destroyed, or never created): the sealed fields are now null
    tampered,  //!< a sealed value does not authenticate under the user's key
};

//! Opens in place the sealed values among `fields`; without a key they become null (erased).
Opened open_fields(boost::json::object& object, const std::vector<std::string>& fields, const std::string& user_id,
                   std::string_view scope, const std::optional<DataKey>& key);

}  // namespace aimi::privacy
