// Rediscovery without hints (`idemlab rediscover`): a scenario's faults are
// taken out and explore searches its workload alone; what it finds is
// compared with what the hand-written faults showed (the expectation:
// scenarios/expectations.h). A violation expected and the search misses is a hole in
// the search; one the search finds and the script does not expect is either
// a bug the hand-written faults never reached or, for a strategy meant to be
// safe, a finding to explain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "scenarios/explore.h"
#include "scenarios/shrink.h"

namespace idemlab::scenarios {

struct RediscoverOptions {
  int faults_max = 1;
  std::uint64_t runs_max = 3000;
  std::uint64_t seed = 1;
  bool shrink = true;             // shrink each first counterexample, to compare sizes
  double shrink_seconds = 10;     // each shrink's time bound
  std::function<double()> clock;  // seconds on the caller's clock (wall time)
};

struct Rediscovered {
  Counterexample first;
  std::uint64_t violating_runs = 0;
  bool shrunk = false;  // `size` is the shrunk counterexample's
  ScriptSize size;
};

struct Rediscovery {
  std::string scenario;
  std::string strategy;
  bool has_expectation = false;   // the script or the strategy says what it should show (expectations.h)
  std::set<std::string> expected; // what the hand-written faults showed
  ScriptSize hand_written;
  ExploreResult search;
  std::map<std::string, Rediscovered> found;  // every invariant the search broke
  std::set<std::string> missed;               // expected, not found
  std::set<std::string> unexpected;           // found, not expected
  double seconds = 0;
};

// REQUIRES: scenario.source holds the script's JSON text.
Rediscovery rediscover(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                       const RediscoverOptions& options);

}  // namespace idemlab::scenarios
