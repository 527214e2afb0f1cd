// The results of `idemlab explore --json`, as it writes them and idemlab
// plot reads them: per
// strategy how the search grew (coverage and distinct interleavings against
// runs), when each invariant first broke, and each first counterexample's
// sequence diagram (scenarios/sequence.h), to draw.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scenarios/search_progress.h"
#include "scenarios/sequence.h"

namespace idemlab::plots {

inline constexpr const char* kExploreFormat = "idemlab-explore/1";

struct ExploreFinding {
  std::string invariant;
  std::uint64_t violating_runs = 0;
  std::uint64_t first_run = 0;  // the run that found it, from 1
  double seconds = 0;           // into the search, on the wall clock
  std::string intent;
  std::string evidence;
  std::vector<std::string> faults;  // the placement (or deviations), in words
  std::string replay;               // the command that replays it; "" if none was written
  scenarios::SequenceDiagram sequence;
};

struct ExploreStrategy {
  std::string strategy;
  std::uint64_t runs = 0;
  bool exhausted = false;  // every placement within the bound was run
  double seconds = 0;
  std::uint64_t interleavings = 0;
  bool interleavings_exact = true;
  std::uint64_t pairs_covered = 0;
  std::uint64_t pairs_seen = 0;
  std::vector<scenarios::SearchProgress> progress;
  std::vector<ExploreFinding> findings;  // by invariant
  std::map<std::string, std::uint64_t> unjudged;
};

struct ExploreResults {
  std::string path;
  std::string version;
  std::string command;  // how it was made, as typed
  std::string scenario;
  std::string mode;  // "placements", "swarm" or "schedules"
  std::uint64_t seed = 0;
  std::uint64_t max_runs = 0;
  std::vector<ExploreStrategy> strategies;
};

// The file's text (`path` is not in it).
std::string explore_results_text(const ExploreResults& results);
// `where` names the file in errors. Throws PlotError.
ExploreResults parse_explore_results(const std::string& text, const std::string& where);

}  // namespace idemlab::plots
