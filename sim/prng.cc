#include "sim/prng.h"

#include "sim/hash.h"

#include <cassert>

namespace idemlab::sim {
namespace {

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// __extension__ silences -Wpedantic for the compiler's 128-bit integer.
__extension__ using u128 = unsigned __int128;

}  // namespace

std::uint64_t SplitMix64::next() {
  return splitmix_finalize(state_ += 0x9e3779b97f4a7c15ULL);
}

Prng::Prng(std::uint64_t seed) {
  SplitMix64 seeder(seed);
  for (auto& word : s_) word = seeder.next();
}

std::uint64_t Prng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Prng::below(std::uint64_t bound) {
  assert(bound > 0);
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  u128 product = static_cast<u128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<u128>(next()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace idemlab::sim
