// What `idemlab explore --json FILE` records (plots/explore_results.h, the
// format and its reader): the first counterexamples of a search, each run
// again with a full trace for its sequence diagram.
#pragma once

#include <cstdint>
#include <vector>

#include "plots/explore_results.h"
#include "scenarios/scenario.h"

namespace idemlab::cli {

// One invariant's first counterexample: what the file says of it (its
// diagram still empty), and how to run it again (`mode`: kReplay for a
// recorded schedule, else kSeed).
struct ExploreExample {
  plots::ExploreFinding finding;
  scenarios::Scenario world;
  std::uint64_t seed = 0;
  scenarios::RunMode mode = scenarios::RunMode::kSeed;
};

// The fields every search's result has, as the file's entry of a strategy
// (the rest, which differ by search, are the caller's to set).
template <class SearchResult>
plots::ExploreStrategy summary_of(const std::string& strategy, const SearchResult& r, double seconds) {
  plots::ExploreStrategy out;
  out.strategy = strategy;
  out.runs = r.runs;
  out.seconds = seconds;
  out.interleavings = r.interleavings;
  out.interleavings_exact = r.interleavings_exact;
  out.progress = r.progress;
  out.unjudged = r.unjudged;
  return out;
}

// `examples` as `into`'s findings, each with the diagram of its run made
// again with a full trace (an empty one if it cannot be made again, rather
// than losing the results around it).
void add_findings(plots::ExploreStrategy& into, const std::vector<ExploreExample>& examples,
                  const strategies::StrategyInfo& strategy);

}  // namespace idemlab::cli
