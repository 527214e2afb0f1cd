#include "sim/node.h"

#include "sim/state_writer.h"

#include <cassert>

namespace idemlab::sim {

void Node::write_state(StateWriter& out) const {
  out.tag("node");
  out.str(name_);
  out.flag(up_);
  out.u64(incarnation_);
}

Node::Node(Simulator& sim, std::string name, Boot boot)
    : sim_(sim), name_(std::move(name)), boot_(std::move(boot)) {}

Node::~Node() {
  // Processes point at their node: they may not outlive it.
  if (up_) sim_.cancel_node(*this);
}

void Node::start() {
  assert(!up_);
  retired_memory_.reset();
  up_ = true;
  ++incarnation_;
  if (sim_.trace().enabled()) sim_.record(name_, "start", "incarnation " + std::to_string(incarnation_));
  if (boot_) spawn(boot_(*this), "boot");
}

std::size_t Node::crash() {
  assert(up_);
  up_ = false;
  const std::size_t cancelled = sim_.cancel_node(*this);
  retired_memory_ = std::move(memory_);
  if (sim_.trace().enabled()) {
    sim_.record(name_, "crash", std::to_string(cancelled) + " processes cancelled, memory dropped");
  }
  return cancelled;
}

void Node::restart() {
  crash();
  start();
}

ProcessId Node::spawn(Task<void> task, std::string_view process_name) {
  assert(up_);
  return sim_.spawn(std::move(task), this, process_name);
}

}  // namespace idemlab::sim
