#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace aimi::memory::minilm {

//! A read-only view of a `.safetensors` file (8-byte header length, JSON header, raw data),
//! memory-mapped so the weights are shared with the page cache instead of copied.
class SafeTensors {
  public:
    //! @throws std::runtime_error for a missing, unreadable, truncated or malformed file
    explicit SafeTensors(const std::filesystem::path& file);
    ~SafeTensors();
    SafeTensors(const SafeTensors&) = delete;
    SafeTensors& operator=(const SafeTensors&) = delete;

    const std::filesystem::path& path() const { return path_; }
    bool contains(const std::string& name) const { return entries_.contains(name); }
    std::vector<std::string> names() const;

    //! The data of F32 tensor `name`, checked to have exactly `shape`.
    //! @throws std::runtime_error if it is absent, of another dtype or of another shape
    std::span<const float> f32(const std::string& name, const std::vector<std::int64_t>& shape) const;

  private:
    struct Entry {
        std::string dtype;
        std::vector<std::int64_t> shape;
        std::size_t begin = 0;  // offsets into the data section
        std::size_t end = 0;
    };

    void parse_header(std::string_view header);

    std::filesystem::path path_;
    void* map_ = nullptr;
    std::size_t map_size_ = 0;
    const std::byte* data_ = nullptr;  // the data section (after the header)
    std::size_t data_size_ = 0;
    std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace aimi::memory::minilm
