// Systematic search of fault placements (`idemlab explore`): the faults that
// nobody wrote down. A run without added faults records every site a fault
// could be placed at (before and after each port operation, per node; each
// request and reply of each link); the search then runs the world with one
// fault at each site, with every action that applies there, then two, up to
// `faults_max`, breadth first, so that the first violation found for an
// invariant has the fewest faults. Sites that exist only because of an
// earlier fault (a retry, a recovery pass) are found in the runs that have
// that fault. Placements that differ only by which of the interchangeable
// clients they hit are run once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "scenarios/search_progress.h"

namespace idemlab::scenarios {

struct ExploreOptions {
  int faults_max = 2;                // faults added to one run
  std::uint64_t runs_max = 100000;   // the search is cut after this many runs
  std::uint64_t seed = 1;            // every run draws its latencies from this seed
  bool keep_script_faults = true;    // the script's own faults stay in every run
  // The actions the search places; empty: every action that applies.
  std::set<TargetedFault::Action> actions;
  // Each request is also delayed just past its caller's timeout (beside the
  // network's extra_delay), so that the caller gives up while it is on the way.
  bool delays_past_timeout = true;
  // How long a crashed node stays down: exactly crash_downtime, or drawn
  // uniformly from [crash_downtime, crash_downtime_max] when that is more.
  sim::Duration crash_downtime = 100 * sim::kMillisecond;
  sim::Duration crash_downtime_max = 0;
  // Asked between runs; true cuts the search (the caller's time bound, on
  // the wall clock, which simulated code does not read).
  std::function<bool()> out_of_time;
  // Seconds since the search began, on the caller's clock (simulated code
  // reads none): what a counterexample records as the time it took.
  std::function<double()> elapsed;
};

// The first run found violating one invariant (breadth first: no run with
// fewer added faults violates it).
struct Counterexample {
  std::string invariant;
  std::vector<TargetedFault> added;  // the placement; the script's faults (if kept) come first
  std::string intent;
  std::string evidence;
  std::uint64_t run = 0;             // which run of the search found it, from 1
  double seconds = 0;                // options.elapsed() when it was found (0 without)
};

struct ExploreResult {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 0;
  int faults_max = 0;
  std::uint64_t runs = 0;
  std::uint64_t pruned = 0;          // placements equivalent to one already run
  std::uint64_t sites = 0;           // distinct sites reached across the runs
  // (site, action) pairs: offered by the runs' sites, and placed in a run.
  std::uint64_t pairs_seen = 0;
  std::uint64_t pairs_placed = 0;
  std::uint64_t interleavings = 0;   // distinct step orders among the runs
  bool interleavings_exact = true;   // else a HyperLogLog estimate
  std::uint64_t runs_with_violations = 0;
  // Every placement up to faults_max was run (else the search was cut by
  // runs_max or out_of_time).
  bool exhausted = false;
  std::map<std::string, std::uint64_t> violating_runs;  // by invariant
  std::map<std::string, Counterexample> first;          // by invariant
  std::map<std::string, std::uint64_t> unjudged;        // by outcome name: runs without a verdict
  std::map<std::string, Counterexample> first_unjudged; // by outcome name; `evidence` says why
  std::vector<SearchProgress> progress;                 // the search's growth, run by run
};

// Every fault that applies at the sites `report` (a RunMode::kSites run of
// a world with `world`'s settings) reached, within options.actions.
std::vector<TargetedFault> fault_candidates(const RunReport& report, const models::WorldConfig& world,
                                            const ExploreOptions& options);

// REQUIRES: options.faults_max >= 0, options.runs_max >= 1.
ExploreResult explore(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                      const ExploreOptions& options);

// The scenario with `added` faults after its own (or instead, without
// keep_script_faults): what `idemlab run` replays a counterexample from.
Scenario with_faults(const Scenario& scenario, const std::vector<TargetedFault>& added, bool keep_script_faults);

// "crash at after:kv.set@api #2", as runs report faults taken.
std::string fault_text(const TargetedFault& fault);

}  // namespace idemlab::scenarios
