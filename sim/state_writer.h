// A world's state as canonical bytes, for state hashing in exploration: two
// worlds whose every component writes the same bytes are to behave the
// same from here on, whatever path led to each. Components write tagged,
// length-prefixed fields in a fixed order (std::map order, slot order,
// scheduling order), so the bytes are a function of the state alone.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sim/hash.h"

namespace idemlab::sim {

class StateWriter {
 public:
  // A component's name: keeps fields of different components apart.
  void tag(std::string_view name) { str(name); }
  void u64(std::uint64_t v) {
    char bytes[8];
    std::memcpy(bytes, &v, 8);
    bytes_.append(bytes, 8);
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void flag(bool v) { bytes_.push_back(v ? '\1' : '\0'); }
  void str(std::string_view s) {
    u64(s.size());
    bytes_.append(s);
  }

  const std::string& bytes() const { return bytes_; }
  std::uint64_t hash() const { return fnv1a(bytes_); }

 private:
  std::string bytes_;
};

// Folds `value` into a running 64-bit hash (splitmix64's finaliser over
// the sum): what a process's position and an observation are built from.
inline std::uint64_t mix_hash(std::uint64_t hash, std::uint64_t value) {
  return splitmix_finalize(hash + 0x9e3779b97f4a7c15ULL + value);
}

}  // namespace idemlab::sim
