#include "sim/time.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace idemlab::sim {

std::string format_time(Time t) {
  char buffer[48];
  const char* sign = t < 0 ? "-" : "";
  const std::uint64_t magnitude = t < 0 ? 0 - static_cast<std::uint64_t>(t) : static_cast<std::uint64_t>(t);
  std::snprintf(buffer, sizeof buffer, "%s%" PRIu64 ".%06" PRIu64 " ms", sign,
                magnitude / 1000000, magnitude % 1000000);
  return buffer;
}

namespace {

struct Unit {
  const char* suffix;
  Duration size;
};
// Longest first, so that "ms" is not read as "m" followed by junk.
constexpr Unit kUnits[] = {{"h", 3600 * kSecond}, {"m", 60 * kSecond}, {"s", kSecond},
                           {"ms", kMillisecond}, {"us", kMicrosecond}, {"ns", kNanosecond}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  std::uint64_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit.empty()) return count == 0 ? std::optional<Duration>(0) : std::nullopt;
  for (const Unit& u : kUnits) {
    if (unit != u.suffix) continue;
    if (count > static_cast<std::uint64_t>(kTimeNever / u.size)) return std::nullopt;
    return static_cast<Duration>(count) * u.size;
  }
  return std::nullopt;
}

std::string duration_text(Duration d) {
  if (d == 0) return "0";
  for (const Unit& u : kUnits) {
    if (d % u.size == 0) return std::to_string(d / u.size) + u.suffix;
  }
  return std::to_string(d) + "ns";
}

}  // namespace idemlab::sim
