// Shrinking a failing run (`idemlab shrink`): the smallest script, found
// greedily, whose run from the same seed still violates the same invariant.
// In turn, while any step helps: each fault removed, fewer clients, fewer
// intents, fewer attempts per intent, and every latency distribution
// replaced by its median (a constant); a change is kept when the run still
// fails. The result is written with its recorded schedule, so that `idemlab
// run` replays it to the same violation and `idemlab replay --real` follows
// it on the live servers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

struct ShrinkOptions {
  std::string invariant;  // empty: the first the run violates
  std::uint64_t seed = 1;
  // Asked between runs; true stops with what has been shrunk so far.
  std::function<bool()> out_of_time;
};

// What a script holds that shrinking reduces.
struct ScriptSize {
  std::size_t faults = 0;
  int clients = 0;
  int intents = 0;
  int attempts = 0;              // the retry policy's attempts_max
  std::size_t random_latencies = 0;  // latency distributions that are not constants
};

struct ShrinkResult {
  // The run of the input violated the invariant; nothing below is set if not.
  bool reproduced = false;
  std::string invariant;
  ScriptSize before;
  ScriptSize after;
  std::uint64_t runs = 0;        // runs the search made
  bool cut = false;              // out_of_time stopped it
  std::string script;            // the shrunk script, with its schedule
  RunReport shrunk_run;          // its run, recorded
  bool replays = false;          // replaying `script` violates the invariant again
};

// REQUIRES: scenario.source holds the script's JSON text.
ScriptSize script_size(const Scenario& scenario);

// REQUIRES: scenario.source holds the script's JSON text.
ShrinkResult shrink(const Scenario& scenario, const strategies::StrategyInfo& strategy, const ShrinkOptions& options);

}  // namespace idemlab::scenarios
