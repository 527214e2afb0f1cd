// The floor of any event loop, for the benchmarks that compare with it: the
// hold model (pop the earliest event, push one a random delay later) on a
// bare std::priority_queue with `pending` events. Returns events a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <queue>
#include <vector>

#include "sim/prng.h"
#include "sim/time.h"

namespace idemlab::bench {

inline double bare_heap_events_per_s(std::uint64_t events, std::uint64_t pending, std::uint64_t delay_max) {
  struct Entry {
    sim::Time at;
    std::uint64_t sequence;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : sequence > o.sequence; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  sim::Prng prng(1);
  std::uint64_t sequence = 0;
  for (std::uint64_t i = 0; i < pending; ++i) heap.push(Entry{static_cast<sim::Time>(prng.below(delay_max)), ++sequence});
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < events; ++i) {
    const Entry e = heap.top();
    heap.pop();
    heap.push(Entry{e.at + 1 + static_cast<sim::Time>(prng.below(delay_max)), ++sequence});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (heap.size() != pending) std::abort();
  return static_cast<double>(events) / seconds;
}

}  // namespace idemlab::bench
