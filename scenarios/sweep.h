// Many seeds of one scenario with one strategy: which invariants broke, how
// often, and a seed that reproduces each.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

struct InvariantTally {
  std::uint64_t runs = 0;         // runs in which it was violated
  std::uint64_t example_seed = 0; // the first such run
  std::string example_intent;
  std::string example_evidence;
};

// Runs that ended without a verdict (RunOutcome other than kJudged), or
// that could not be made at all (an exception: out of memory, say), of one
// kind: how many, and the first.
struct OutcomeTally {
  std::uint64_t runs = 0;
  std::uint64_t example_seed = 0;
  std::string example_detail;
};

struct SweepResult {
  std::string scenario;
  std::string strategy;
  std::uint64_t runs = 0;
  std::uint64_t runs_with_violations = 0;
  // By what happened: "did not converge", "set-up failed", "workload never
  // started", "error". Judged runs are not listed.
  std::map<std::string, OutcomeTally> unjudged;
  std::uint64_t charges = 0;
  std::uint64_t attempts = 0;
  std::map<std::string, InvariantTally> violated;  // by invariant name
};

// Seeds first_seed, first_seed + 1, ..., first_seed + count - 1. With
// `stop_once_found`, stops early once every one of those invariants has been
// violated (the runs made are still checked for any other violation).
SweepResult sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t first_seed,
                  std::uint64_t count, const std::set<std::string>* stop_once_found = nullptr);

// The same sweep on `jobs` threads, each running whole worlds (a world is a
// pure function of its seed, so the result is the same as sweep()'s, whatever
// the number of threads). No early stop.
SweepResult parallel_sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                           std::uint64_t first_seed, std::uint64_t count, unsigned jobs);

// Whether the sweep meets the scenario's expectation for the strategy (true
// when there is none, and every run was judged); `why` says what differs. Without `require_found`, only
// unexpected violations count (for short sweeps, which may miss rare ones).
bool meets_expectation(const Scenario& scenario, const SweepResult& result, std::string& why,
                       bool require_found = true);

}  // namespace idemlab::scenarios
