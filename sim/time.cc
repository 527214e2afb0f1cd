#include "sim/time.h"

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

}  // namespace idemlab::sim
