// A scenario: the world's settings, the workload, the faults, and what each
// strategy is expected to do under them. One run of a scenario is a world
// built from it, a strategy installed, a seed, and the invariants checked.
//
// A run has two phases: the fault phase, during which random link faults
// apply (targeted faults fire whenever their point is reached), then a
// liveness phase with random faults off, bounded by `run_limit`, in which the
// clients' retries must converge.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "checks/invariants.h"
#include "checks/latency.h"
#include "checks/outcomes.h"
#include "models/world_config.h"
#include "scenarios/fault_plan.h"
#include "sim/tape.h"
#include "sim/trace.h"
#include "strategies/strategy.h"

namespace idemlab::models {
class World;
}

namespace idemlab::scenarios {

class FaultPlan;

// The explicit schedule of one run, as `idemlab run --record` writes it: the
// decision tape (every latency, order and fault choice), and every port
// operation across processes in the order they ended (took effect), with
// the faults taken, which the replay checks and which real mode's turnstile
// follows on live servers.
struct Schedule {
  std::string strategy;
  std::uint64_t seed = 0;
  std::vector<sim::Draw> tape;
  std::vector<ScheduleStep> steps;
  std::vector<std::string> faults_taken;
  // Events due at one instant were ordered by the tape (its order draws),
  // not in scheduling order: schedule exploration's runs.
  bool ties_on_tape = false;
};

struct Scenario {
  std::string name;
  std::string description;
  models::WorldConfig world;
  strategies::StrategyOptions options;
  // Random faults on the client <-> API links only (others use world.network).
  std::optional<sim::LinkConfig> client_link;
  std::vector<TargetedFault> faults;
  sim::Duration fault_phase = 30 * sim::kSecond;
  sim::Duration run_limit = 600 * sim::kSecond;
  // The bound on one simulated run's events; run_events_max() if unset.
  std::optional<std::uint64_t> event_limit;
  // The invariants its runs judge (every one, unless the script chose).
  checks::InvariantSelection invariants;
  // Per strategy: the invariants a sweep must find violated; a strategy
  // listed with an empty set must have no violation at all. It overrides
  // the strategy's own statement (scenarios/expectations.h).
  std::map<std::string, std::set<std::string>> expect;
  // One of the scripts shipped with idemlab (scenarios/shipped.h), to which
  // the strategies' statements of what they break refer by name.
  bool shipped = false;
  // The script this scenario was read from, if any (kept for --record).
  std::string source;
  // A recorded schedule: a run replays it instead of drawing from its seed.
  std::optional<Schedule> schedule;
};

// How a run ended, before any invariant is looked at.
enum class RunOutcome : std::uint8_t {
  kJudged,                // it converged (or settled at its bound): every invariant was checked
  kDidNotConverge,        // still busy at run_limit or the event bound: safety invariants only
  kSetupFailed,           // the strategy's setup failed: nothing else ran, nothing was judged
  kWorkloadNeverStarted,  // no client sent a request: there was nothing to judge
};
const char* outcome_name(RunOutcome outcome);

// The calls a run made on one directed link after its set-up.
struct LinkUse {
  std::string caller;
  std::string callee;
  std::uint64_t calls = 0;
};

// The most storage a run held in each backend (simulated runs; zero in
// real mode): Redis's used_memory_peak by the model's accounting, the
// PostgreSQL tables' bytes (live and dead versions; the model never
// vacuums, so its end is its peak), and the most messages held at once.
struct StoragePeak {
  std::int64_t redis_bytes = 0;
  std::int64_t postgres_bytes = 0;
  std::uint64_t broker_messages = 0;

  void take_max(const StoragePeak& other);
  bool operator==(const StoragePeak&) const = default;
};

struct RunReport {
  RunOutcome outcome = RunOutcome::kJudged;
  std::string outcome_detail;  // why, in words, unless kJudged
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 0;
  std::vector<checks::Violation> violations;
  std::vector<checks::IntentOutcome> outcomes;  // per intent: charges and answers
  sim::RunResult run{};
  bool converged = false;  // quiet (or quiescent) at the end of the run
  std::uint64_t trace_hash = 0;
  // The order of the run's steps without their times: what tells distinct
  // interleavings apart (two runs that differ only in latencies share it).
  std::uint64_t order_hash = 0;
  std::uint64_t charges = 0;
  std::uint64_t attempts = 0;
  StoragePeak storage;
  // The calls made to each backend node after set-up, by its name ("redis",
  // "postgres", "rabbitmq", "processor"), from any caller: the round trips
  // the strategy's requests, workers and relays cost (simulated runs).
  std::map<std::string, std::uint64_t> backend_calls;
  std::vector<sim::Duration> latencies;  // every attempt's, invoke to answer or timeout
  std::vector<checks::IntentTiming> timings;  // per intent: arrival, first 2xx, attempts
  std::uint64_t shed = 0;             // requests the service's admission control answered at once
  std::uint64_t short_circuited = 0;  // attempts the clients' breakers failed without sending
  // The processor's decisions (simulated runs), which a live run of the
  // same scenario can follow (realmode::run_real).
  std::vector<models::processor::ChargeDecision> charge_decisions;
  std::vector<sim::Duration> refund_times;
  std::vector<std::string> faults_taken;
  std::vector<std::string> faults_not_taken;  // each with the reason
  // What of the scenario's disturbances reached the strategy: the targeted
  // faults taken, the random faults and workload duplicates drawn and the
  // calls that timed out, by any caller (the tape's count), and the
  // attempts beyond one an intent (a retry after a timeout or an error, a
  // second sender). 0: nothing the scenario does to
  // it happened, so a run without violations says nothing of its safety.
  std::uint64_t disturbances = 0;
  std::string timeline;    // with TraceLevel::kFull only
  std::string json_lines;  // with TraceLevel::kFull only
  std::vector<sim::TraceRecord> trace;  // with TraceLevel::kFull only
  // With RunMode::kRecord: the run's schedule. With kReplay: empty when the
  // run followed the scenario's schedule, else where it first departed.
  Schedule schedule;
  std::string schedule_divergence;
  // Real mode following a schedule: the steps let past while blocked on a
  // lock, and the operations of processes it had no steps left for, held
  // until its end.
  std::size_t schedule_steps_blocked = 0;
  std::size_t schedule_held_to_end = 0;
  // With RunMode::kSites: where faults could have been placed (port points
  // in the order reached, and the calls on every link).
  std::vector<FaultSite> port_sites;
  std::vector<LinkUse> link_uses;
};

// Whether the run broke `invariant`.
bool violates(const RunReport& report, const std::string& invariant);

enum class RunMode : std::uint8_t {
  kSeed,    // draw from the seed
  kRecord,  // draw from the seed and keep the schedule
  kReplay,  // follow scenario.schedule (REQUIRES: it has one)
  kSites,   // draw from the seed and keep the fault sites reached (exploration)
};

// The bound on one simulated run's events: a script whose world spins (a
// background worker polling every nanosecond, say) ends as "did not
// converge" instead of running for hours. The script's event_limit, or a
// default far above what any shipped script needs (at most a few thousand
// events a payment).
inline constexpr std::uint64_t kRunEventsBase = 20000000;
inline constexpr std::uint64_t kRunEventsPerPayment = 2000;
std::uint64_t run_events_max(const Scenario& scenario);

RunReport run_once(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t seed,
                   sim::TraceLevel trace = sim::TraceLevel::kHash, RunMode mode = RunMode::kSeed);

// A run whose every draw comes from `tape` and whose simultaneous events
// are ordered by it (TieOrder::kTape): schedule exploration. `seed` is only
// reported. With keep_steps, report.schedule holds the steps and faults
// taken (the caller adds the tape it recorded).
//
// With `probe`: the simulator keeps process positions, and the probe is
// given the world before it runs, called after every event, and told when
// the run is over (state hashing).
class WorldProbe {
 public:
  virtual ~WorldProbe() = default;
  virtual void attach(models::World& world, const FaultPlan& plan) = 0;
  virtual void after_event() = 0;
  virtual void finished() = 0;
};
RunReport run_on_tape(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t seed,
                      sim::Tape& tape, sim::TraceLevel trace, bool keep_steps, WorldProbe* probe = nullptr);

}  // namespace idemlab::scenarios
