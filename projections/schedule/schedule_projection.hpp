#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::schedule {

//! The schedule read model (migrations/0010_schedule.sql): calendar events as the API shows them,
//! and each user's time zone (floating events follow it). Timing and status come from the fact
//! (the decider's result, domain/schedule/timing.hpp), never recomputed here; the personal and
//! descriptive fields from the event's data — for the series, for one occurrence, or copied onto
//! the new series a "this and following" change starts. An erasure removes the user's rows.
class ScheduleProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "schedule";
    static std::vector<std::string> tables() { return {"schedule_users", "calendar_events"}; }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::schedule
