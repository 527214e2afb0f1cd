// Faults at the port boundary, as decorators: the same in the simulator and
// in real mode. Each decorated operation has two named points, "before:kv.set"
// and "after:kv.set"; at each the hook decides: carry on, drop (before: the
// operation is not made; after: it was made and its reply is lost, so the
// caller sees a timeout either way), or halt (the caller's node crashed).
// Scenario fault plans and the contract tests' fault control are hooks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/node.h"
#include "strategies/ports/gate.h"
#include "strategies/ports/ports.h"

namespace idemlab::ports {

class FaultHook {
 public:
  enum class Verdict : std::uint8_t {
    kContinue,
    kHalt,  // the caller's node crashed: suspend for good
    kDrop,  // return a timeout (before: the operation is not made; after: its reply is lost)
  };
  virtual ~FaultHook() = default;
  virtual Verdict hit(const std::string& point, sim::Node& node) = 0;
  // After a kDrop from hit(): how long the caller waits before it sees the
  // timeout. 0 but for a lost request or reply that stands for one on a
  // simulated link, whose caller waited for its timeout there.
  virtual sim::Duration last_drop_wait() const { return 0; }
  // The gate every decorated operation passes before its "before:" point;
  // null (no gate) but in real mode following a recorded schedule.
  virtual Gate* gate() { return nullptr; }
};

// One node's ports, each operation going through `hook`. Kv TTL reads,
// schema set-up, sequences, rollbacks, queue declarations and deliveries
// carry no points.
class FaultyPorts {
 public:
  FaultyPorts(Ports inner, FaultHook& hook, sim::Node& node);
  ~FaultyPorts();
  FaultyPorts(const FaultyPorts&) = delete;
  FaultyPorts& operator=(const FaultyPorts&) = delete;

  Ports ports();
  sim::Node& owner() const { return owner_; }

 private:
  sim::Node& owner_;
  Clock& clock_;
  std::unique_ptr<Kv> kv_;
  std::unique_ptr<Sql> sql_;
  std::unique_ptr<Queue> queue_;
  std::unique_ptr<Processor> processor_;
};

}  // namespace idemlab::ports
