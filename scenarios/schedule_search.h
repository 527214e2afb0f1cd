// Schedule exploration (`idemlab explore --schedules`): the orders nobody
// wrote down. A run's schedule has two kinds of choice points beside its
// seeded draws: which of the events due at one instant runs first
// (Choice::kOrder), and, for every latency that is not a constant, whether
// it is sampled or taken at its range's low or high end (Choice::kExtreme:
// two latency ranges that overlap can come out in either order, and a lock
// TTL can run out just before or just after the charge it guards returns).
// The seed's own run takes the default at every point (the first ready
// event, the sampled latency); the search runs every schedule that departs
// from it at up to `deviations_max` points, breadth first, so that the
// first violation found needs the fewest departures. Every other draw
// (faults at the script's rates, jitter, workload, the sampled latencies)
// still comes from the seed.
//
// With pct_depth > 0 the runs are instead PCT runs (Burckhardt et al.,
// ASPLOS 2010), for spaces too large to enumerate: each process gets a
// random priority; of the events due at one instant the highest-priority
// process's runs first; a latency drawn while a process runs takes its low
// end when the process ranks in the upper half of the priority range and
// its high end otherwise (priority as speed, the timed analogue of running
// first); and at pct_depth - 1 random choice points the running process
// drops below every other.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "scenarios/search_progress.h"

namespace idemlab::scenarios {

struct ScheduleSearchOptions {
  int deviations_max = 2;           // choice points off the default, per run
  std::uint64_t runs_max = 20000;
  std::uint64_t seed = 1;
  bool keep_script_faults = true;
  int pct_depth = 0;                // > 0: PCT runs with this many priority change points + 1
  // State hashing: the world's state is hashed after every event that made
  // a choice; a schedule whose run reaches a state some run with no more
  // deviations already reached is not extended past it (what follows was
  // explored from there). The states form the state graph.
  bool hash_states = false;
  // With hash_states: for the first verify_max merges, run both paths on
  // with the same later choices and require the same future (every trace
  // record and the verdict), and equal state bytes: a hash that misses part
  // of the state fails here. Throws StateHashMismatch.
  bool verify_hashes = false;
  std::uint64_t verify_max = 200;
  bool want_dot = false;             // fill ScheduleSearchResult::dot
  // What a state is written from; empty: models::World::write_state. (The
  // tests leave parts out, to see verify_hashes catch it.)
  std::function<void(models::World&, sim::StateWriter&)> write_world;
  std::size_t graph_states_max = std::size_t{1} << 20;
  std::function<bool()> out_of_time;
  std::function<double()> elapsed;
};

// One departure from the default: at the run's `position`th choice point
// (from 0), option `value` (an order index, or a LatencyPick).
struct Deviation {
  std::uint64_t position = 0;
  std::uint64_t value = 0;
  sim::Choice choice = sim::Choice::kOrder;
  bool operator==(const Deviation&) const = default;
};

// "latency at its high end at choice 14", "the 2nd ready event first at choice 3".
std::string deviation_text(const Deviation& deviation);

struct ScheduleCounterexample {
  std::string invariant;
  std::vector<Deviation> deviations;  // empty for PCT runs, which deviate everywhere
  std::uint64_t pct_run = 0;          // with PCT: which run (its priorities' seed), from 1
  std::string intent;
  std::string evidence;
  std::uint64_t run = 0;
  double seconds = 0;
  // With state hashing: steps on the shortest path in the state graph from
  // the start to the violating run's final state.
  std::uint64_t path_steps = 0;
  // The run recorded: its tape (every draw, with the order and extreme
  // choices) and steps, which `idemlab run` replays from a script.
  Schedule schedule;
};

struct ScheduleSearchResult {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 0;
  int deviations_max = 0;
  int pct_depth = 0;
  std::uint64_t runs = 0;
  // Choice points of the seed's own run, by kind.
  std::uint64_t order_points = 0;
  std::uint64_t latency_points = 0;
  bool exhausted = false;  // every schedule within deviations_max was run
  std::uint64_t interleavings = 0;  // distinct step orders among the runs
  bool interleavings_exact = true;  // else a HyperLogLog estimate
  std::uint64_t runs_with_violations = 0;
  std::map<std::string, std::uint64_t> violating_runs;
  std::map<std::string, ScheduleCounterexample> first;
  std::map<std::string, std::uint64_t> unjudged;
  // With state hashing:
  std::uint64_t states = 0;          // distinct states reached
  std::uint64_t state_edges = 0;     // distinct steps between them
  std::uint64_t merged = 0;          // runs not extended past a state explored before
  std::uint64_t hash_checks = 0;     // merges verified (verify_hashes)
  bool graph_truncated = false;      // graph_states_max was reached
  std::string dot;                   // with want_dot: the state graph for Graphviz
  std::vector<SearchProgress> progress;  // the search's growth, run by run
};

// Two states with one hash behaved differently: the hash misses part of
// the state (or two states collided). A bug in idemlab, not in a strategy.
struct StateHashMismatch : std::logic_error {
  using std::logic_error::logic_error;
};

// REQUIRES: deviations_max >= 0, runs_max >= 1, pct_depth >= 0.
ScheduleSearchResult search_schedules(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                                      const ScheduleSearchOptions& options);

}  // namespace idemlab::scenarios
