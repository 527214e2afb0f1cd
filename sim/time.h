// Virtual time. A world starts at 0 and counts integer nanoseconds; nothing in
// simulated code ever reads the wall clock.
#pragma once

#include <cstdint>
#include <string>

namespace idemlab::sim {

using Time = std::int64_t;      // nanoseconds since the world started
using Duration = std::int64_t;  // nanoseconds

constexpr Duration kNanosecond = 1;
constexpr Duration kMicrosecond = 1000 * kNanosecond;
constexpr Duration kMillisecond = 1000 * kMicrosecond;
constexpr Duration kSecond = 1000 * kMillisecond;

constexpr Time kTimeNever = INT64_MAX;

// "12.345678 ms": fixed-point, exact, the same on every platform.
std::string format_time(Time t);

}  // namespace idemlab::sim
