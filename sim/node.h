// A node is a process host that can crash and restart: the API service, a
// queue consumer, Redis. A crash cancels every process on the node (their
// frames are destroyed, so what they held in local variables is gone) and
// drops the node's memory; a restart runs the boot routine again, which
// rebuilds whatever memory the node needs. Durable state (a database's
// committed rows) lives outside Node, in the model that owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sim/state_writer.h"
#include "sim/simulator.h"

namespace idemlab::sim {

// What a node keeps in memory between requests (a cache, a worker pool).
struct NodeMemory {
  virtual ~NodeMemory() = default;
};

class Node {
 public:
  // The boot routine runs as the node's first process at every (re)start.
  // It is kept for the node's lifetime, so a lambda's captures outlive the
  // coroutines it starts.
  using Boot = std::function<Task<void>(Node&)>;

  Node(Simulator& sim, std::string name, Boot boot = nullptr);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();

  const std::string& name() const { return name_; }
  bool up() const { return up_; }
  // Counts starts; a message addressed to an older incarnation is stale.
  std::uint64_t incarnation() const { return incarnation_; }
  Simulator& sim() const { return sim_; }

  // REQUIRES: down. Brings the node up and spawns the boot routine.
  void start();
  // REQUIRES: up. Cancels every process on the node, drops its memory.
  // Returns the number of processes cancelled. A process of this node that
  // calls it stops at its next suspension.
  std::size_t crash();
  // crash() then start(), as a supervisor would.
  void restart();

  // Spawns a process on this node. REQUIRES: up.
  ProcessId spawn(Task<void> task, std::string_view process_name);

  void set_memory(std::unique_ptr<NodeMemory> memory) { memory_ = std::move(memory); }
  // REQUIRES: memory of type M was set since the last start.
  template <class M>
  M& memory() const {
    auto* typed = dynamic_cast<M*>(memory_.get());
    assert(typed != nullptr && "node memory missing: set it in the boot routine");
    return *typed;
  }
  bool has_memory() const { return memory_ != nullptr; }

  // Name, up or down, incarnation (its memory belongs to whoever set it).
  void write_state(StateWriter& out) const;

 private:
  Simulator& sim_;
  std::string name_;
  Boot boot_;
  bool up_ = false;
  std::uint64_t incarnation_ = 0;
  std::unique_ptr<NodeMemory> memory_;
  // Memory of the last incarnation, kept until the next start: a process of
  // the node that crashed it is still running and may hold references into
  // it until it suspends (and is destroyed).
  std::unique_ptr<NodeMemory> retired_memory_;
};

}  // namespace idemlab::sim
