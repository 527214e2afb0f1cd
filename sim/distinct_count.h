// How many distinct 64-bit values (interleavings' order hashes) a search
// has seen: exactly while they fit under a bound, then estimated by a
// HyperLogLog sketch (Flajolet et al. 2007) that was fed every value from
// the start, so the switch loses nothing. Memory stays flat in the number
// of values: the exact set is dropped once it passes the bound.
#pragma once

#include <array>
#include <cstdint>
#include <set>

namespace idemlab::sim {

class DistinctCount {
 public:
  // 2^12 registers: a standard error of about 1.6% (1.04 / sqrt(4096)).
  static constexpr int kPrecision = 12;
  static constexpr std::size_t kRegisters = std::size_t{1} << kPrecision;

  // Counted exactly up to `exact_max` distinct values. REQUIRES: exact_max > 0.
  explicit DistinctCount(std::size_t exact_max = 100000);

  void add(std::uint64_t value);
  // The count: exact while exact() holds, else the sketch's estimate.
  std::uint64_t count() const;
  bool exact() const { return exact_; }
  // The sketch's estimate, whether or not the count is still exact.
  std::uint64_t estimate() const;
  // Combines another count (a shard's) into this one; exact only if both
  // were and their union still fits.
  void merge(const DistinctCount& other);

 private:
  std::size_t exact_max_;
  bool exact_ = true;
  std::set<std::uint64_t> values_;  // while exact_
  std::array<std::uint8_t, kRegisters> registers_{};
};

}  // namespace idemlab::sim
