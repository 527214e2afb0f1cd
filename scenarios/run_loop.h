// The one run loop of a scenario, written once for both worlds: the
// simulator's (virtual time) and real mode's (live servers, the wall clock).
// It installs the strategy, runs its setup, arms the faults, ends the fault
// phase, runs until the world has converged or the bound, and judges the
// run. What differs between the worlds is behind RunDriver.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "checks/invariants.h"
#include "scenarios/scenario.h"

namespace idemlab::scenarios {

// Worlds of more payments than this check liveness at doubling intervals
// once quiet, not at every one-second step.
inline constexpr std::uint64_t kLivenessEveryStepPayments = 1000;

// How a run loop moves one world forward and reads it.
class RunDriver {
 public:
  virtual ~RunDriver() = default;
  // Runs the world's events up to `until` (REQUIRES: until >= now), or
  // fewer once nothing more can happen. Returns why it stopped.
  virtual sim::RunStop advance(sim::Time until) = 0;
  // No message of these queues is ready or unacknowledged.
  virtual bool queues_drained(const std::vector<std::string>& queues) = 0;
  // What the checker reads, now.
  virtual std::unique_ptr<checks::GroundTruth> truth() = 0;
  // Once the world is quiet (clients finished, nothing in flight, queues
  // drained), how long an open liveness violation may still wait for a
  // background worker to close it before the run ends. The simulator
  // crosses time at no cost: run_limit bounds it. The wall clock does not.
  virtual sim::Duration quiet_grace() const = 0;
  // Whether the world has done what it must before the run may end (real
  // mode following a schedule: its last steps).
  virtual bool may_end() { return true; }
  // Called once the setup has run and the workload has started.
  virtual void started() {}
};

// How the run ended, in words: "converged" (judged), or the outcome's detail.
std::string ending_text(const RunReport& report);

// The loop itself. REQUIRES: `world`, `plan` and `strategy` were made for
// `scenario`, nothing has been installed or started. Fills the outcome, the
// violations and every field the two worlds share; the caller adds what is
// its own (schedules, the processor's decisions, the trace).
RunReport run_loop(const Scenario& scenario, models::Host& world, FaultPlan& plan, strategies::Strategy& strategy,
                   RunDriver& driver);

}  // namespace idemlab::scenarios
