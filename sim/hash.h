// A stable 64-bit hash of bytes (FNV-1a): the same on every platform and
// run, for trace fingerprints and for comparing stored texts by hash.
#pragma once

#include <cstdint>
#include <string_view>

namespace idemlab::sim {

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;

inline std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = kFnvOffsetBasis) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// splitmix64's finaliser (Steele, Lea and Flood): spreads every input bit
// over the output, for hashes whose high bits must be uniform.
inline std::uint64_t splitmix_finalize(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace idemlab::sim
