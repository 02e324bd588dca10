#include "domain/conversation/model.hpp"

namespace aimi::conversation {

void merge_patch(boost::json::object& target, const boost::json::object& patch) {
    for (const auto& [key, value] : patch) {
        if (value.is_null()) {
            target.erase(key);
        } else if (value.is_object()) {
            auto& slot = target[key];
            if (!slot.is_object()) slot = boost::json::object{};
            merge_patch(slot.as_object(), value.as_object());
        } else {
            target[key] = value;
        }
    }
}

}  // namespace aimi::conversation
