// Real mode following a recorded schedule: a gate that lets the port
// operations of the live run take effect in the order the simulated run's
// did (Schedule::steps: the order the operations ended), as PostgreSQL's
// isolation tester runs its permutations.
//
// One step runs at a time: an operation waits until it is the next step and
// the step before it is over (or, for an operation that takes effect over
// time, such as a charge, has started: scenarios::takes_effect_over_time). A step whose statement waits on a lock (its
// session shows in pg_blocking_pids, as the isolation tester asks; a lock
// the model does not have, or a deadlock's first half) is over for the
// turnstile: the next step goes, and the blocked one ends when the lock is
// released.
//
// An operation of a process the schedule has no steps left for (a
// background worker polling more often than in simulation, an attempt the
// simulation made after its end) waits until the schedule's last step has
// been taken, as it came after it in simulation. Processes are told apart by
// name: a request's is its intent, attempt and sender (two processes of one
// name would take that name's steps in turn). When the live run departs
// from the schedule (an operation the schedule does not have for its process
// from the next step on, or no step taken for kStall while operations
// wait), the turnstile says where and opens for good; the run goes on
// unordered.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "scenarios/fault_plan.h"
#include "sim/simulator.h"
#include "strategies/ports/gate.h"

namespace idemlab::realmode {

class Turnstile final : public ports::Gate {
 public:
  // How long operations may wait with no step taken or finished before the
  // run is said to have departed from the schedule. Longer than a client's
  // backoff or a lock's TTL in the shipped scripts, which a step may wait out.
  static constexpr sim::Duration kStall = 12 * sim::kSecond;
  // How often waiting operations and the lock watcher look again.
  static constexpr sim::Duration kPoll = 1 * sim::kMillisecond;

  // `sessions_waiting_on_locks`: how many of the run's PostgreSQL sessions
  // are blocked by another's lock right now (pg_blocking_pids).
  Turnstile(sim::Simulator& sim, std::vector<scenarios::ScheduleStep> steps,
            std::function<sim::Task<int>()> sessions_waiting_on_locks);

  sim::Task<std::uint64_t> enter(const char* op, sim::Node& node) override;
  void leave(std::uint64_t ticket) override;

  // A process (of the world: no crash ends it) that lets the next step go
  // when the running one is blocked on a lock. Ends when the schedule does.
  sim::Task<void> watch_locks();

  // Empty while the run follows the schedule; else where it departed. At
  // the end of the run, also a schedule with steps never made.
  std::string divergence() const;
  // Every step taken, or the run left the schedule.
  bool done() const { return open(); }
  std::size_t steps_taken() const { return next_; }
  std::size_t steps_blocked() const { return blocked_total_; }
  // Operations of processes the schedule had no steps left for, held until
  // its end.
  std::size_t held_to_end() const { return held_to_end_; }

 private:
  bool open() const { return !departed_.empty() || next_ >= steps_.size(); }
  bool has_steps_left(const std::string& process) const;
  bool expects(const std::string& process, const char* op, const sim::Node& node) const;
  void depart(const std::string& why);
  std::string step_text(std::size_t i) const;

  sim::Simulator& sim_;
  std::vector<scenarios::ScheduleStep> steps_;
  std::function<sim::Task<int>()> sessions_waiting_on_locks_;
  std::size_t next_ = 0;             // the next step to start
  std::uint64_t running_ = 0;        // the ticket of the step running unblocked; 0: none
  sim::Time running_since_ = 0;
  std::set<std::uint64_t> blocked_;  // tickets out, blocked on a lock
  std::size_t blocked_total_ = 0;
  std::size_t held_to_end_ = 0;
  std::uint64_t last_ticket_ = 0;
  sim::Time last_progress_ = 0;
  std::string departed_;
};

}  // namespace idemlab::realmode
