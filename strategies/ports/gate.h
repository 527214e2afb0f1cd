// A gate in front of every decorated port operation, for real mode following
// a recorded schedule: an operation starts only when it is the schedule's
// next step (realmode::Turnstile). The simulator has no gate: its schedule
// is the tape, and FaultHook::gate() is null there, so a decorated call
// costs one pointer test.
#pragma once

#include <cstdint>

#include "sim/node.h"
#include "sim/task.h"

namespace idemlab::ports {

class Gate {
 public:
  virtual ~Gate() = default;
  // Suspends the calling process until its operation `op` ("kv.set") on
  // `node` may start. Returns a ticket for leave(); 0 when the operation is
  // not one the gate follows.
  virtual sim::Task<std::uint64_t> enter(const char* op, sim::Node& node) = 0;
  // The operation with `ticket` is over: it returned, was dropped, or its
  // process ended (a crash).
  virtual void leave(std::uint64_t ticket) = 0;
};

// One operation's passage through a gate (if any), left when it goes out of
// scope, however the operation ends: the decorator's frame is destroyed on
// return and when its process is cancelled alike.
class Turn {
 public:
  explicit Turn(Gate* gate) : gate_(gate) {}
  ~Turn() {
    if (ticket_ != 0) gate_->leave(ticket_);
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;

  Gate* gate() const { return gate_; }
  void hold(std::uint64_t ticket) { ticket_ = ticket; }

 private:
  Gate* gate_;
  std::uint64_t ticket_ = 0;
};

}  // namespace idemlab::ports
