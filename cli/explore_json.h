// `idemlab explore --json FILE` (idemlab-explore/1, read back by
// plots/explore_results.h): per strategy the search's size and growth, and
// per invariant violated its first counterexample with the sequence diagram
// of a rerun that keeps the full trace.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "scenarios/search_progress.h"

namespace idemlab::cli {

// The common form of one search's result, whichever search it was.
struct ExploreSummary {
  std::string strategy;
  std::uint64_t runs = 0;
  bool exhausted = false;
  double seconds = 0;
  std::uint64_t interleavings = 0;
  bool interleavings_exact = true;
  std::uint64_t pairs_covered = 0;
  std::uint64_t pairs_seen = 0;
  std::vector<scenarios::SearchProgress> progress;
  std::map<std::string, std::uint64_t> unjudged;
};

// One invariant's first counterexample; `world` and `seed` rerun it
// (with `mode`: kReplay for a recorded schedule, else kSeed).
struct ExploreExample {
  std::string invariant;
  std::uint64_t violating_runs = 0;
  std::uint64_t first_run = 0;
  double seconds = 0;
  std::string intent;
  std::string evidence;
  std::vector<std::string> faults;
  std::string replay;
  scenarios::Scenario world;
  std::uint64_t seed = 0;
  scenarios::RunMode mode = scenarios::RunMode::kSeed;
};

// The strategy's entry of $.strategies; reruns each example with a full trace.
nlohmann::ordered_json explore_entry(const ExploreSummary& summary, const std::vector<ExploreExample>& examples,
                                     const strategies::StrategyInfo& strategy);

// The whole file.
nlohmann::ordered_json explore_file(const std::string& command, const std::string& scenario, const std::string& mode,
                                    std::uint64_t seed, std::uint64_t max_runs, nlohmann::ordered_json strategies);

}  // namespace idemlab::cli
