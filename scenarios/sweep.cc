#include "scenarios/sweep.h"

#include <thread>
#include <variant>
#include <vector>

namespace idemlab::scenarios {

namespace {

// Folds one run into the tally; runs must be folded in seed order so that
// the example seeds are the first ones.
void tally(SweepResult& result, const std::string& kind, std::uint64_t seed, const std::string& detail) {
  OutcomeTally& t = result.unjudged[kind];
  if (t.runs == 0) {
    t.example_seed = seed;
    t.example_detail = detail;
  }
  ++t.runs;
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
  if (report.outcome != RunOutcome::kJudged) tally(result, outcome_name(report.outcome), report.seed, report.outcome_detail);
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
    return r;
  } catch (const std::exception& e) {
    return RunError{seed, e.what()};
  }
}

void fold(SweepResult& result, const std::variant<RunReport, RunError>& run) {
  std::visit([&result](const auto& r) { fold(result, r); }, run);
}

}  // namespace

SweepResult sweep(const Scenario& scenario, const strategies::StrategyInfo& strategy, std::uint64_t first_seed,
                  std::uint64_t count, const std::set<std::string>* stop_once_found) {
  SweepResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  for (std::uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
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
                           std::uint64_t first_seed, std::uint64_t count, unsigned jobs) {
  if (jobs <= 1) return sweep(scenario, strategy, first_seed, count);
  // Each thread keeps only what the tally needs of its runs.
  std::vector<std::variant<RunReport, RunError>> reports(count);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < jobs; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = t; i < count; i += jobs) reports[i] = run_or_error(scenario, strategy, first_seed + i);
    });
  }
  for (std::thread& thread : threads) thread.join();
  SweepResult result;
  result.scenario = scenario.name;
  result.strategy = strategy.name;
  for (const auto& report : reports) fold(result, report);
  return result;
}

bool meets_expectation(const Scenario& scenario, const SweepResult& result, std::string& why, bool require_found) {
  bool ok = true;
  // A run without a verdict proves nothing either way: the cell is not met.
  for (const auto& [kind, t] : result.unjudged) {
    why += std::to_string(t.runs) + " runs: " + kind + " (seed " + std::to_string(t.example_seed) + ": " +
           t.example_detail + "); ";
    ok = false;
  }
  const auto expected = scenario.expect.find(result.strategy);
  if (expected == scenario.expect.end()) return ok;
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
