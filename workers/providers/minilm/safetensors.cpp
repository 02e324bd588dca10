#include "workers/providers/minilm/safetensors.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace aimi::memory::minilm {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

// Bytes per element of the dtypes safetensors defines; 0 for one we do not know (size unchecked).
std::size_t dtype_size(std::string_view dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
    return 0;
}

}  // namespace

SafeTensors::SafeTensors(const std::filesystem::path& file) : path_(file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("safetensors: cannot open " + file.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw std::runtime_error("safetensors: cannot stat " + file.string() + ": " + std::strerror(err));
    }
    map_size_ = static_cast<std::size_t>(st.st_size);
    if (map_size_ < 8) {
        ::close(fd);
        throw std::runtime_error("safetensors: " + file.string() + " is truncated (" + std::to_string(map_size_) +
                                 " bytes, no header)");
    }
    map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd);
    if (map_ == MAP_FAILED) {
        map_ = nullptr;
        throw std::runtime_error("safetensors: cannot map " + file.string() + ": " + std::strerror(err));
    }
    try {
        const auto* bytes = static_cast<const unsigned char*>(map_);
        std::uint64_t header_size = 0;  // little-endian u64
        for (int i = 7; i >= 0; --i) header_size = header_size << 8 | bytes[i];
        if (header_size > map_size_ - 8)
            throw std::runtime_error("truncated: header of " + std::to_string(header_size) + " bytes in a file of " +
                                     std::to_string(map_size_));
        data_ = static_cast<const std::byte*>(map_) + 8 + header_size;
        data_size_ = map_size_ - 8 - header_size;
        parse_header(std::string_view(reinterpret_cast<const char*>(bytes + 8), header_size));
    } catch (const std::exception& e) {
        ::munmap(map_, map_size_);
        map_ = nullptr;
        throw std::runtime_error("safetensors: " + file.string() + ": " + e.what());
    }
}

SafeTensors::~SafeTensors() {
    if (map_) ::munmap(map_, map_size_);
}

void SafeTensors::parse_header(std::string_view header) {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (const auto error = parser.parse(header.data(), header.size()).get_object().get(root))
        throw std::runtime_error(std::string("header is not a JSON object: ") + simdjson::error_message(error));
    for (const auto field : root) {
        if (field.key == "__metadata__") continue;
        const std::string name(field.key);
        auto fail = [&](const std::string& why) { throw std::runtime_error("tensor " + name + ": " + why); };
        Entry entry;
        std::string_view dtype;
        simdjson::dom::array shape, offsets;
        if (field.value["dtype"].get_string().get(dtype) || field.value["shape"].get_array().get(shape) ||
            field.value["data_offsets"].get_array().get(offsets))
            fail("needs dtype, shape and data_offsets");
        entry.dtype = dtype;
        std::uint64_t count = 1;
        for (const auto dim : shape) {
            std::int64_t value = 0;
            if (dim.get_int64().get(value) || value < 0) fail("shape is not a list of sizes");
            entry.shape.push_back(value);
            count *= static_cast<std::uint64_t>(value);
        }
        std::vector<std::uint64_t> range;
        for (const auto offset : offsets) {
            std::uint64_t value = 0;
            if (offset.get_uint64().get(value)) fail("data_offsets are not offsets");
            range.push_back(value);
        }
        if (range.size() != 2 || range[0] > range[1]) fail("data_offsets is not [begin, end]");
        if (range[1] > data_size_)
            fail("data ends at " + std::to_string(range[1]) + " beyond the " + std::to_string(data_size_) +
                 " bytes of data (truncated file?)");
        if (const auto size = dtype_size(entry.dtype); size && range[1] - range[0] != count * size)
            fail(std::to_string(range[1] - range[0]) + " bytes for " + entry.dtype + " " + shape_text(entry.shape));
        entry.begin = range[0];
        entry.end = range[1];
        entries_.emplace(name, std::move(entry));
    }
}

std::vector<std::string> SafeTensors::names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
}

std::span<const float> SafeTensors::f32(const std::string& name, const std::vector<std::int64_t>& shape) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) throw std::runtime_error("safetensors: " + path_.string() + " has no tensor " + name);
    const Entry& entry = it->second;
    if (entry.dtype != "F32")
        throw std::runtime_error("safetensors: tensor " + name + " is " + entry.dtype + ", expected F32");
    if (entry.shape != shape)
        throw std::runtime_error("safetensors: tensor " + name + " has shape " + shape_text(entry.shape) +
                                 ", expected " + shape_text(shape));
    const std::byte* begin = data_ + entry.begin;
    // Writers align the data section; a float view needs it, so refuse rather than read misaligned.
    if (reinterpret_cast<std::uintptr_t>(begin) % alignof(float) != 0)
        throw std::runtime_error("safetensors: tensor " + name + " is not 4-byte aligned");
    return {reinterpret_cast<const float*>(begin), (entry.end - entry.begin) / sizeof(float)};
}

}  // namespace aimi::memory::minilm
