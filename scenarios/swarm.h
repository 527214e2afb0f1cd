// Swarm runs (`idemlab explore --swarm`), in the style of FoundationDB's
// BUGGIFY and swarm testing: each run draws its own world from the
// scenario's, with a random subset of the fault actions enabled and up to
// faults_max faults placed at sites earlier runs reached, preferring (site,
// action) pairs no run has placed yet; and with some of the world's
// parameters redrawn from documented ranges:
//
//   strategy_options.lock_ttl     500 ms .. 60 s   (log-uniform)
//   client.request_timeout        200 ms .. 5 s    (log-uniform)
//   client.retry.attempts_max     1 .. 20
//   processor.processing_time     log-normal, median 10 ms .. 5 s (log-uniform), sigma 0.4
//   workload.double_click         0, 1/2 or 1
//   service.workers               1 .. 8
//
// each redrawn with probability 1/2 (else the scenario's own); a run whose
// attempts were redrawn is not judged on every_intent_resolved (its client
// may give up first, by its own choice). The world of
// a run is written as a script (the scenario's JSON with those fields and
// the faults replaced), so a violation replays with `idemlab run`. The
// scenario's own faults are left out: swarm starts from the workload.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "scenarios/explore.h"

namespace idemlab::scenarios {

struct SwarmOptions {
  std::uint64_t runs_max = 2000;
  std::uint64_t seed = 1;  // draws every run's world, and the run's own seed
  int faults_max = 2;
  std::function<bool()> out_of_time;
  std::function<double()> elapsed;
};

struct SwarmFinding {
  std::string invariant;
  std::uint64_t run = 0;   // from 1
  std::uint64_t seed = 0;  // the run's seed: idemlab run SCRIPT --seed SEED
  std::string script;      // the run's world as a script
  std::vector<std::string> drawn;  // "lock_ttl=3.2s", ... the parameters redrawn
  std::vector<TargetedFault> faults;
  std::string intent;
  std::string evidence;
  double seconds = 0;
};

struct SwarmResult {
  std::uint64_t runs = 0;
  std::uint64_t pairs_seen = 0;     // (site, action) pairs some run could have placed
  std::uint64_t pairs_covered = 0;  // of those, placed in some run
  std::uint64_t interleavings = 0;  // distinct step orders among the runs
  bool interleavings_exact = true;  // else a HyperLogLog estimate
  std::map<std::string, std::uint64_t> violating_runs;
  std::map<std::string, SwarmFinding> first;  // by invariant
  std::map<std::string, std::uint64_t> unjudged;
  bool cut = false;  // out_of_time stopped it before runs_max
  std::vector<SearchProgress> progress;  // the search's growth, run by run
};

// REQUIRES: scenario.source holds the script's JSON text; options.runs_max >= 1.
SwarmResult swarm(const Scenario& scenario, const strategies::StrategyInfo& strategy, const SwarmOptions& options);

}  // namespace idemlab::scenarios
