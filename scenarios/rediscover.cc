#include "scenarios/rediscover.h"

#include <cassert>

#include "scenarios/expectations.h"
#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"

namespace idemlab::scenarios {

Rediscovery rediscover(const Scenario& scenario, const strategies::StrategyInfo& strategy,
                       const RediscoverOptions& options) {
  assert(!scenario.source.empty());
  const auto now = [&options] { return options.clock ? options.clock() : 0.0; };
  const double start = now();
  Rediscovery out;
  out.scenario = scenario.name;
  out.strategy = strategy.name;
  const std::optional<std::set<std::string>> expectation = expected_breaks(scenario, strategy);
  out.has_expectation = expectation.has_value();
  if (out.has_expectation) out.expected = *expectation;
  out.hand_written = script_size(scenario);

  ExploreOptions search;
  search.faults_max = options.faults_max;
  search.runs_max = options.runs_max;
  search.seed = options.seed;
  search.keep_script_faults = false;
  if (options.clock) search.elapsed = [&now, start] { return now() - start; };
  out.search = explore(scenario, strategy, search);

  for (const auto& [invariant, example] : out.search.first) {
    Rediscovered r;
    r.first = example;
    r.violating_runs = out.search.violating_runs.at(invariant);
    const Scenario counterexample = with_faults(scenario, example.added, false);
    r.size = script_size(parse_scenario(script_with_faults(scenario, counterexample.faults), scenario.name));
    if (options.shrink) {
      ShrinkOptions shrinking;
      shrinking.invariant = invariant;
      shrinking.seed = options.seed;
      const double shrink_start = now();
      if (options.clock) {
        shrinking.out_of_time = [&now, shrink_start, &options] { return now() - shrink_start >= options.shrink_seconds; };
      }
      const Scenario script = parse_scenario(script_with_faults(scenario, counterexample.faults), scenario.name);
      const ShrinkResult shrunk = shrink(script, strategy, shrinking);
      if (shrunk.reproduced) {
        r.shrunk = true;
        r.size = shrunk.after;
      }
    }
    out.found.emplace(invariant, std::move(r));
    if (!out.expected.count(invariant)) out.unexpected.insert(invariant);
  }
  for (const std::string& invariant : out.expected) {
    if (!out.found.count(invariant)) out.missed.insert(invariant);
  }
  out.seconds = now() - start;
  return out;
}

}  // namespace idemlab::scenarios
