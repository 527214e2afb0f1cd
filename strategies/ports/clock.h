// Clock port: the time a strategy sees and its way to wait. Simulated time
// in the simulator, the monotonic clock in real mode.
#pragma once

#include "sim/task.h"
#include "sim/time.h"

namespace idemlab::ports {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual sim::Time now() const = 0;
  virtual sim::Task<void> sleep(sim::Duration duration) = 0;
};

}  // namespace idemlab::ports
