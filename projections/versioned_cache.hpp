#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace aimi {

//! Per-user state a projection keeps in memory between batches (a user's whole goals graph, say),
//! valid for one version of what the database holds (the stream version the decider folded to,
//! the read model's own counter). Entries enter only after their transaction commits (stage, then
//! commit), so a rolled-back or split batch never leaves state the database does not hold; a
//! version mismatch drops the entry. The least recently committed users go beyond `capacity`.
template <class T>
class VersionedCache {
  public:
    explicit VersionedCache(std::size_t capacity) : capacity_(capacity) {}

    //! The entry if it is exactly at `version` (moved out: stage and commit it again).
    std::optional<T> take(const std::string& key, std::int64_t version) {
        const auto it = entries_.find(key);
        if (it == entries_.end()) return std::nullopt;
        std::optional<T> out;
        if (it->second.version == version) out = std::move(it->second.value);
        entries_.erase(it);
        return out;
    }
    void stage(const std::string& key, std::int64_t version, T value) {
        staged_.insert_or_assign(key, Entry{version, std::move(value), 0});
    }
    //! The staged entries' transaction committed.
    void commit() {
        for (auto& [key, entry] : staged_) {
            entry.used = ++clock_;
            entries_.insert_or_assign(key, std::move(entry));
        }
        staged_.clear();
        while (entries_.size() > capacity_) {
            const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
                return a.second.used < b.second.used;
            });
            entries_.erase(oldest);
        }
    }
    //! It did not commit (or its fate is unknown): forget the staged entries.
    void abandon() { staged_.clear(); }
    std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::int64_t version = 0;
        T value;
        std::uint64_t used = 0;
    };
    std::size_t capacity_;
    std::uint64_t clock_ = 0;
    std::map<std::string, Entry> entries_;
    std::map<std::string, Entry> staged_;
};

}  // namespace aimi
