#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "projections/runtime_settings.hpp"

namespace aimi {

struct ExportRequest {
    bool facts = true;                        //!< the facts topic, else the intake (user-events) topic
    std::optional<std::string> user_id;       //!< only this user's records (the key)
    std::optional<std::int64_t> from_ms;      //!< records stamped at or after
    std::optional<std::int64_t> to_ms;        //!< records stamped before
    std::optional<std::int32_t> partition;    //!< only this partition
    std::optional<std::int64_t> from_offset;  //!< with partition: first offset
    std::optional<std::int64_t> to_offset;    //!< with partition: end offset (exclusive)
    bool with_position = false;  //!< wrap each line: {"topic","partition","offset","timestamp_ms","key","value"}
    //! Open sealed personal fields (AIMI_MASTER_KEY and the key table); an erased user's read null.
    bool decrypt = false;
};

//! `aimi-admin export`: writes the records of a topic as JSON lines to stdout (the record value,
//! one per line, or wrapped with its position), partition by partition in offset order, up to
//! each partition's end as it is when the export starts; a progress line on stderr every second
//! and a summary at the end. Returns the process exit status.
int export_records(const RuntimeSettings& settings, const ExportRequest& request);

}  // namespace aimi
