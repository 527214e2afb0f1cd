#include "sim/distinct_count.h"

#include <bit>
#include <cassert>
#include <cmath>

#include "sim/hash.h"

namespace idemlab::sim {

DistinctCount::DistinctCount(std::size_t exact_max) : exact_max_(exact_max) { assert(exact_max > 0); }

void DistinctCount::add(std::uint64_t value) {
  // Order hashes are FNV-1a, whose high bits are not uniform enough on
  // their own for the register index.
  const std::uint64_t h = splitmix_finalize(value);
  const std::size_t index = static_cast<std::size_t>(h >> (64 - kPrecision));
  const std::uint64_t rest = h << kPrecision;
  // The rank of the first 1 bit in the remaining 52 bits (53 when all are 0).
  const int rank = rest == 0 ? 64 - kPrecision + 1 : std::countl_zero(rest) + 1;
  if (registers_[index] < rank) registers_[index] = static_cast<std::uint8_t>(rank);
  if (!exact_) return;
  values_.insert(value);
  if (values_.size() > exact_max_) {
    exact_ = false;
    std::set<std::uint64_t>().swap(values_);
  }
}

std::uint64_t DistinctCount::estimate() const {
  const double m = static_cast<double>(kRegisters);
  double sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double e = alpha * m * m / sum;
  // Small range: linear counting over the empty registers is more accurate.
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return static_cast<std::uint64_t>(std::llround(e));
}

std::uint64_t DistinctCount::count() const { return exact_ ? values_.size() : estimate(); }

void DistinctCount::merge(const DistinctCount& other) {
  for (std::size_t i = 0; i < kRegisters; ++i) {
    if (registers_[i] < other.registers_[i]) registers_[i] = other.registers_[i];
  }
  if (exact_ && other.exact_) {
    values_.insert(other.values_.begin(), other.values_.end());
    if (values_.size() <= exact_max_) return;
  }
  exact_ = false;
  std::set<std::uint64_t>().swap(values_);
}

}  // namespace idemlab::sim
