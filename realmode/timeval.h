// A duration as the C clients (hiredis, rabbitmq-c) take their timeouts.
#pragma once

#include <sys/time.h>

#include "sim/time.h"

namespace idemlab::realmode {

inline timeval to_timeval(sim::Duration d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d / sim::kSecond);
  tv.tv_usec = static_cast<suseconds_t>((d % sim::kSecond) / sim::kMicrosecond);
  return tv;
}

}  // namespace idemlab::realmode
