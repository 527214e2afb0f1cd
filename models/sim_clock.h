// The Clock port in the simulator: virtual time.
#pragma once

#include "sim/simulator.h"
#include "strategies/ports/clock.h"

namespace idemlab::models {

class SimClock final : public ports::Clock {
 public:
  explicit SimClock(sim::Simulator& sim) : sim_(sim) {}
  sim::Time now() const override { return sim_.now(); }
  sim::Task<void> sleep(sim::Duration duration) override { co_await sim_.sleep(duration); }

 private:
  sim::Simulator& sim_;
};

}  // namespace idemlab::models
