// Virtual time. A world starts at 0 and counts integer nanoseconds; nothing in
// simulated code ever reads the wall clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// Durations as scenario scripts write them: a non-negative integer and a unit
// (ns, us, ms, s, m, h), as in "150ms" or "24h"; "0" alone is zero. nullopt if
// malformed or too long for 64 bits.
std::optional<Duration> parse_duration(std::string_view text);
// The shortest exact text parse_duration reads back: "150ms", "24h".
std::string duration_text(Duration d);

}  // namespace idemlab::sim
