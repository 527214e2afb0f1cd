// Clock port: the time a strategy sees, its way to wait, and its source of
// unique ids (lock owner tokens, payment ids). Simulated time and ids drawn
// from the decision tape in the simulator; the monotonic clock and the OS's
// randomness in real mode.
#pragma once

#include <string>

#include "sim/task.h"
#include "sim/time.h"

namespace idemlab::ports {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual sim::Time now() const = 0;
  virtual sim::Task<void> sleep(sim::Duration duration) = 0;
  // A fresh random id (UUID v4 text).
  virtual std::string unique_id() = 0;
};

}  // namespace idemlab::ports
