#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace aimi {

using TopicPartition = std::pair<std::string, std::int32_t>;

//! The projection_offsets rows one batch holds locked in its transaction (the batch applier takes
//! them all in one statement and stores the advanced ones in one more): for each, the next offset
//! stored when the batch began and the one it stores at commit.
class BatchOffsets {
  public:
    explicit BatchOffsets(std::map<TopicPartition, std::int64_t> stored) : stored_(stored), next_(std::move(stored)) {}

    //! @throws std::out_of_range for a row the batch did not lock
    std::int64_t stored(const TopicPartition& tp) const { return stored_.at(tp); }
    std::int64_t next(const TopicPartition& tp) const { return next_.at(tp); }
    //! @throws std::out_of_range for a row the batch did not lock
    void advance(const TopicPartition& tp, std::int64_t next) { next_.at(tp) = next; }

    //! The rows whose next offset differs from the stored one.
    std::map<TopicPartition, std::int64_t> changed() const {
        std::map<TopicPartition, std::int64_t> out;
        for (const auto& [tp, next] : next_)
            if (next != stored_.at(tp)) out.emplace(tp, next);
        return out;
    }

  private:
    std::map<TopicPartition, std::int64_t> stored_;
    std::map<TopicPartition, std::int64_t> next_;
};

}  // namespace aimi
