#include "scenarios/sweep.h"

#include "scenarios/expectations.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <iterator>
#include <thread>
#include <variant>
#include <vector>

namespace idemlab::scenarios {

namespace {

void keep_seed(std::vector<std::uint64_t>& seeds, std::uint64_t seed) {
  if (seeds.size() < kSeedsKept) seeds.push_back(seed);
}

// Folds one run into the tally; runs must be folded in seed order so that
// the example seeds are the first ones.
void tally(SweepResult& result, const std::string& kind, std::uint64_t seed, const std::string& detail) {
  OutcomeTally& t = result.unjudged[kind];
  if (t.runs == 0) {
    t.example_seed = seed;
    t.example_detail = detail;
  }
  ++t.runs;
  keep_seed(t.seeds, seed);
}

// The first kSeedsKept of two ascending lists.
std::vector<std::uint64_t> first_seeds(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> out;
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  if (out.size() > kSeedsKept) out.resize(kSeedsKept);
  return out;
}

// A run that threw instead of reporting: the cell says so, the sweep goes on.
struct RunError {
  std::uint64_t seed = 0;
  std::string what;
};

void fold(SweepResult& result, const RunReport& report) {
  ++result.runs;
  result.charges += report.charges;
  result.attempts += report.attempts;
  result.intents += report.outcomes.size();
  result.storage.take_max(report.storage);
  for (sim::Duration latency : report.latencies) result.latencies.add(latency);
  if (report.outcome != RunOutcome::kJudged) tally(result, outcome_name(report.outcome), report.seed, report.outcome_detail);
  if (!report.violations.empty()) ++result.runs_with_violations;
  if (report.disturbances > 0) ++result.runs_disturbed;
  std::map<std::string, bool> seen;
  for (const checks::Violation& v : report.violations) {
    if (seen[v.invariant]) continue;
    seen[v.invariant] = true;
    InvariantTally& tally = result.violated[v.invariant];
    if (tally.runs == 0) {
      tally.example_seed = report.seed;
      tally.example_intent = v.intent;
      tally.example_evidence = v.evidence;
    }
    ++tally.runs;
    keep_seed(tally.seeds, report.seed);
  }
}

void fold(SweepResult& result, const RunError& error) {
  ++result.runs;
  tally(result, "error", error.seed, error.what);
}

// One run, or the exception it threw, as a value.
std::variant<RunReport, RunError> run_or_error(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                                               std::uint64_t seed) {
  try {
    RunReport r = run_once(scenario, strategy, seed, sim::TraceLevel::kOff);
    r.faults_taken.clear();  // only what the tally needs is kept
    r.faults_not_taken.clear();
    r.charge_decisions.clear();
    r.refund_times.clear();
    return r;
  } catch (const std::exception& e) {
    return RunError{seed, e.what()};
  }
}

void fold(SweepResult& result, const std::variant<RunReport, RunError>& run) {
  std::visit([&result](const auto& r) { fold(result, r); }, run);
}

// The seeds of `shard` among first_seed ... first_seed + count - 1, in order.
std::vector<std::uint64_t> shard_seeds(std::uint64_t first_seed, std::uint64_t count, Shard shard,
                                       std::uint64_t from, std::uint64_t max) {
  assert(shard.index >= 1 && shard.index <= shard.count);
  std::vector<std::uint64_t> out;
  for (std::uint64_t i = from; i < count && out.size() < max; i += shard.count) out.push_back(first_seed + i);
  return out;
}

}  // namespace

void LatencyHistogram::add(sim::Duration latency) {
  ++counts[latency_bucket(latency)];
  ++samples;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (const auto& [bucket, n] : other.counts) counts[bucket] += n;
  samples += other.samples;
}

sim::Duration LatencyHistogram::percentile(double q) const {
  assert(q > 0 && q <= 1);
  if (samples == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(samples)));
  std::uint64_t seen = 0;
  for (const auto& [bucket, n] : counts) {
    seen += n;
    if (seen >= rank) return bucket_lower_bound(bucket + 1);
  }
  return bucket_lower_bound(counts.rbegin()->first + 1);
}

std::uint32_t latency_bucket(sim::Duration latency) {
  if (latency < 16) return latency < 0 ? 0 : static_cast<std::uint32_t>(latency);
  const auto d = static_cast<std::uint64_t>(latency);
  const int msb = 63 - std::countl_zero(d);
  return static_cast<std::uint32_t>((msb - 2) * 8 + ((d >> (msb - 3)) & 7));
}

sim::Duration bucket_lower_bound(std::uint32_t bucket) {
  if (bucket < 16) return bucket;
  const int msb = static_cast<int>(bucket / 8) + 2;
  if (msb >= 62) return sim::kTimeNever;
  return static_cast<sim::Duration>((std::uint64_t{8} + bucket % 8) << (msb - 3));
}

void merge_into(SweepResult& into, const SweepResult& shard) {
  assert(into.scenario == shard.scenario && into.strategy == shard.strategy);
  into.runs += shard.runs;
  into.runs_with_violations += shard.runs_with_violations;
  into.runs_disturbed += shard.runs_disturbed;
  into.charges += shard.charges;
  into.attempts += shard.attempts;
  into.intents += shard.intents;
  into.storage.take_max(shard.storage);
  into.latencies.merge(shard.latencies);
  for (const auto& [kind, t] : shard.unjudged) {
    OutcomeTally& mine = into.unjudged[kind];
    if (mine.runs == 0 || t.example_seed < mine.example_seed) {
      mine.example_seed = t.example_seed;
      mine.example_detail = t.example_detail;
    }
    mine.runs += t.runs;
    mine.seeds = first_seeds(mine.seeds, t.seeds);
  }
  for (const auto& [invariant, t] : shard.violated) {
    InvariantTally& mine = into.violated[invariant];
    if (mine.runs == 0 || t.example_seed < mine.example_seed) {
      mine.example_seed = t.example_seed;
      mine.example_intent = t.example_intent;
      mine.example_evidence = t.example_evidence;
    }
    mine.runs += t.runs;
    mine.seeds = first_seeds(mine.seeds, t.seeds);
  }
}

SweepResult sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t first_seed,
                  std::uint64_t count, const std::set<std::string>* stop_once_found, Shard shard) {
  SweepResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  for (std::uint64_t seed : shard_seeds(first_seed, count, shard, shard.index - 1, count)) {
    fold(result, run_or_error(scenario, strategy, seed));
    if (stop_once_found != nullptr && !stop_once_found->empty()) {
      bool all_found = true;
      for (const std::string& invariant : *stop_once_found) all_found &= result.violated.count(invariant) != 0;
      if (all_found) break;
    }
  }
  return result;
}

SweepResult parallel_sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                           std::uint64_t first_seed, std::uint64_t count, unsigned jobs, Shard shard,
                           const SweepControl* control) {
  if (jobs <= 1 && control == nullptr) return sweep(scenario, strategy, first_seed, count, nullptr, shard);
  jobs = std::max(jobs, 1u);
  SweepResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  // Chunks of runs; the threads take the chunk's next run as they come free
  // (runs differ in length, so a fixed split would wait for the slowest),
  // each folds its runs into its own tally, and the tallies are merged as
  // shards are: exactly, so the result does not depend on the threads.
  const std::uint64_t chunk = 256 * static_cast<std::uint64_t>(jobs);
  for (std::uint64_t from = shard.index - 1; from < count; from += chunk * shard.count) {
    const std::vector<std::uint64_t> seeds = shard_seeds(first_seed, count, shard, from, chunk);
    SweepResult empty;
    empty.scenario = scenario.name;
    empty.strategy = strategy.name;
    std::vector<SweepResult> tallies(jobs, empty);
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = next++; i < seeds.size(); i = next++) {
          fold(tallies[t], run_or_error(scenario, strategy, seeds[i]));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const SweepResult& tally : tallies) merge_into(result, tally);
    if (control != nullptr && control->progress) control->progress(result.runs);
    if (control != nullptr && control->stop && control->stop()) break;
  }
  return result;
}

bool meets_expectation(const Scenario& scenario, const strategies::StrategyInfo& strategy, const SweepResult& result,
                       std::string& why, bool require_found) {
  assert(result.strategy == strategy.name && result.scenario == scenario.name);
  bool ok = true;
  // A run without a verdict proves nothing either way: the cell is not met.
  for (const auto& [kind, t] : result.unjudged) {
    why += std::to_string(t.runs) + " runs: " + kind + " (seed " + std::to_string(t.example_seed) + ": " +
           t.example_detail + "); ";
    ok = false;
  }
  const std::optional<std::set<std::string>> expected = expected_breaks(scenario, strategy);
  if (!expected) return ok;
  for (const std::string& invariant : *expected) {
    if (require_found && !result.violated.count(invariant)) {
      why += "expected " + invariant + " to be violated, it never was; ";
      ok = false;
    }
  }
  for (const auto& [invariant, tally] : result.violated) {
    if (!expected->count(invariant)) {
      why += "unexpected " + invariant + " (seed " + std::to_string(tally.example_seed) + ", " + tally.example_intent +
             ": " + tally.example_evidence + "); ";
      ok = false;
    }
  }
  return ok;
}

}  // namespace idemlab::scenarios
