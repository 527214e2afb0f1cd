// Many seeds of one scenario with one strategy: which invariants broke, how
// often, and a seed that reproduces each.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace idemlab::scenarios {

// How many failing seeds a tally keeps (the first ones).
inline constexpr std::size_t kSeedsKept = 5;

struct InvariantTally {
  std::uint64_t runs = 0;         // runs in which it was violated
  std::uint64_t example_seed = 0; // the first such run
  std::string example_intent;
  std::string example_evidence;
  std::vector<std::uint64_t> seeds;  // the first kSeedsKept such runs, ascending
};

// Runs that ended without a verdict (RunOutcome other than kJudged), or
// that could not be made at all (an exception: out of memory, say), of one
// kind: how many, and the first.
struct OutcomeTally {
  std::uint64_t runs = 0;
  std::uint64_t example_seed = 0;
  std::string example_detail;
  std::vector<std::uint64_t> seeds;  // the first kSeedsKept, ascending
};

// Attempt latencies, log-bucketed (8 buckets per power of two, so a bucket
// is at most 12.5% wide; exact below 16 ns): a fixed size whatever the
// number of runs, and merged exactly by adding counts.
struct LatencyHistogram {
  std::map<std::uint32_t, std::uint64_t> counts;  // by bucket
  std::uint64_t samples = 0;

  void add(sim::Duration latency);
  void merge(const LatencyHistogram& other);
  // The upper end of the bucket holding the q-quantile (nearest rank), 0
  // without samples. REQUIRES: 0 < q <= 1.
  sim::Duration percentile(double q) const;
};
std::uint32_t latency_bucket(sim::Duration latency);
sim::Duration bucket_lower_bound(std::uint32_t bucket);

// A deterministic slice of a sweep's seeds: of first_seed + i (0 <= i <
// count), those with i % count == index - 1. Shard 1/1 is the whole sweep.
struct Shard {
  std::uint64_t index = 1;
  std::uint64_t count = 1;
};

struct SweepResult {
  std::string scenario;
  std::string strategy;
  std::uint64_t runs = 0;
  std::uint64_t runs_with_violations = 0;
  // Runs that the scenario's faults, duplicates or retries reached
  // (RunReport::disturbances > 0). A cell with none is untested, not safe.
  std::uint64_t runs_disturbed = 0;
  // By what happened: "did not converge", "set-up failed", "workload never
  // started", "error". Judged runs are not listed.
  std::map<std::string, OutcomeTally> unjudged;
  std::uint64_t charges = 0;
  std::uint64_t attempts = 0;
  std::uint64_t intents = 0;
  StoragePeak storage;  // the most any one run held, per backend
  LatencyHistogram latencies;
  std::map<std::string, InvariantTally> violated;  // by invariant name
};

// Adds a shard's result of the same scenario and strategy to `into`: the
// result of the sweep over both shards' seeds, whichever order they come in.
void merge_into(SweepResult& into, const SweepResult& shard);

// Seeds first_seed, first_seed + 1, ..., first_seed + count - 1. With
// `stop_once_found`, stops early once every one of those invariants has been
// violated (the runs made are still checked for any other violation).
SweepResult sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t first_seed,
                  std::uint64_t count, const std::set<std::string>* stop_once_found = nullptr, Shard shard = {});

// The same sweep on `jobs` threads, each running whole worlds (a world is a
// pure function of its seed, so the result is the same as sweep()'s, whatever
// the number of threads). No early stop. Memory stays flat in `count`: the
// runs go in chunks, each folded in seed order.
//
// With `control`: `progress` is told the runs done after each chunk, and a
// true `stop` (asked between chunks) ends the sweep early with the runs made.
struct SweepControl {
  std::function<void(std::uint64_t runs_done)> progress;
  std::function<bool()> stop;
};
SweepResult parallel_sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                           std::uint64_t first_seed, std::uint64_t count, unsigned jobs, Shard shard = {},
                           const SweepControl* control = nullptr);

// Whether the sweep meets the strategy's expectation in the scenario
// (scenarios/expectations.h; true when there is none, and every run was
// judged); `why` says what differs. Without `require_found`, only
// unexpected violations count (for short sweeps, which may miss rare ones).
bool meets_expectation(const Scenario& scenario, const strategies::StrategyInfo& strategy, const SweepResult& result,
                       std::string& why, bool require_found = true);

}  // namespace idemlab::scenarios
