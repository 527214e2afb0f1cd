// The servers of a world share one machine, as real mode's do (two cores for
// Redis, PostgreSQL, RabbitMQ and the service): an operation served while
// another is in service somewhere takes longer than one served alone.
// MachineLoad keeps when the operations in service end, across the world's
// servers, and draws each new operation's service time by it: the idle
// figure when nothing else is in service, the loaded one (when a
// calibration measured it) otherwise.
//
// It keeps end times rather than counting starts and ends, so that nothing
// needs to run when a crash cancels an operation: a cancelled one counts as
// in service until the end it was drawn.
#pragma once

#include <optional>
#include <vector>

#include "sim/latency.h"
#include "sim/state_writer.h"
#include "sim/tape.h"
#include "sim/time.h"

namespace idemlab::models {

class MachineLoad {
 public:
  // The service time of an operation starting `now`. Without a loaded
  // figure nothing is kept: a calibration gives every server one or none,
  // and an uncalibrated world (every sweep) pays nothing for the load.
  sim::Duration serve(sim::Time now, const sim::LatencyModel& idle, const std::optional<sim::LatencyModel>& loaded,
                      sim::Tape& tape) {
    if (!loaded) return idle.sample(tape);
    std::erase_if(ends_, [now](sim::Time end) { return end <= now; });
    const sim::Duration time = (ends_.empty() ? idle : *loaded).sample(tape);
    ends_.push_back(now + time);
    return time;
  }

  void write_state(sim::StateWriter& out) const {
    out.tag("load");
    for (sim::Time end : ends_) out.i64(end);
    out.u64(ends_.size());
  }

 private:
  std::vector<sim::Time> ends_;
};

}  // namespace idemlab::models
