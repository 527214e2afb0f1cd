#include "scenarios/sweep.h"

#include <thread>
#include <vector>

namespace idemlab::scenarios {

namespace {

// Folds one run into the tally; runs must be folded in seed order so that
// the example seeds are the first ones.
void fold(SweepResult& result, const RunReport& report) {
  ++result.runs;
  result.charges += report.charges;
  result.attempts += report.attempts;
  if (!report.converged) ++result.not_converged;
  if (!report.violations.empty()) ++result.runs_with_violations;
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
  }
}

}  // namespace

SweepResult sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t first_seed,
                  std::uint64_t count, const std::set<std::string>* stop_once_found) {
  SweepResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  for (std::uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    fold(result, run_once(scenario, strategy, seed, sim::TraceLevel::kOff));
    if (stop_once_found != nullptr && !stop_once_found->empty()) {
      bool all_found = true;
      for (const std::string& invariant : *stop_once_found) all_found &= result.violated.count(invariant) != 0;
      if (all_found) break;
    }
  }
  return result;
}

SweepResult parallel_sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                           std::uint64_t first_seed, std::uint64_t count, unsigned jobs) {
  if (jobs <= 1) return sweep(scenario, strategy, first_seed, count);
  // Each thread keeps only what the tally needs of its runs.
  std::vector<RunReport> reports(count);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < jobs; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = t; i < count; i += jobs) {
        RunReport r = run_once(scenario, strategy, first_seed + i, sim::TraceLevel::kOff);
        r.faults_taken.clear();
        reports[i] = std::move(r);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  SweepResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  for (const RunReport& report : reports) fold(result, report);
  return result;
}

bool meets_expectation(const Scenario& scenario, const SweepResult& result, std::string& why, bool require_found) {
  const auto expected = scenario.expect.find(result.strategy);
  if (expected == scenario.expect.end()) return true;
  bool ok = true;
  for (const std::string& invariant : expected->second) {
    if (require_found && !result.violated.count(invariant)) {
      why += "expected " + invariant + " to be violated, it never was; ";
      ok = false;
    }
  }
  for (const auto& [invariant, tally] : result.violated) {
    if (!expected->second.count(invariant)) {
      why += "unexpected " + invariant + " (seed " + std::to_string(tally.example_seed) + ", " + tally.example_intent +
             ": " + tally.example_evidence + "); ";
      ok = false;
    }
  }
  return ok;
}

}  // namespace idemlab::scenarios
