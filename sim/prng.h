// xoshiro256** seeded through splitmix64 (Blackman and Vigna). Integer-only
// API: probabilities are ratios, bounds are exclusive, so a seed gives the same
// sequence with every compiler and standard library (<random> distributions
// do not promise that).
#pragma once

#include <cstdint>

namespace idemlab::sim {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();

 private:
  std::uint64_t state_;
};

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, bound). REQUIRES: bound > 0. Unbiased (Lemire's method).
  std::uint64_t below(std::uint64_t bound);

 private:
  std::uint64_t s_[4];
};

}  // namespace idemlab::sim
