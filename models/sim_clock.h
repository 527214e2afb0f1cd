// The Clock port in the simulator: virtual time, and ids from the tape.
#pragma once

#include "sim/simulator.h"
#include "sim/uuid.h"
#include "strategies/ports/clock.h"

namespace idemlab::models {

class SimClock final : public ports::Clock {
 public:
  explicit SimClock(sim::Simulator& sim) : sim_(sim) {}
  sim::Time now() const override { return sim_.now(); }
  sim::Task<void> sleep(sim::Duration duration) override { co_await sim_.sleep(duration); }
  std::string unique_id() override { return sim::uuid_text(sim::draw_uuid(sim_.tape())); }

 private:
  sim::Simulator& sim_;
};

}  // namespace idemlab::models
