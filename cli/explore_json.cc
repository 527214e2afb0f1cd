#include "cli/explore_json.h"

#include <exception>

#include "cli/commands.h"
#include "plots/explore_results.h"
#include "scenarios/sequence.h"

namespace idemlab::cli {
namespace {

using nlohmann::ordered_json;

ordered_json sequence_json(scenarios::SequenceDiagram diagram) {
  scenarios::cut_to_readable(diagram);
  ordered_json steps = ordered_json::array();
  for (const scenarios::SequenceStep& s : diagram.steps) {
    steps.push_back({{"kind", scenarios::step_kind_name(s.kind)},
                     {"at_ns", s.at},
                     {"from", s.from},
                     {"to", s.to},
                     {"text", s.text}});
  }
  return {{"participants", diagram.participants}, {"steps", std::move(steps)},
          {"steps_left_out", diagram.steps_left_out}};
}

// The counterexample run again with its full trace, as a diagram. A run
// that cannot be made again (it threw) gives an empty diagram rather than
// losing the results around it.
scenarios::SequenceDiagram diagram_of(const ExploreExample& e, const strategies::StrategyInfo& strategy) {
  try {
    const scenarios::RunReport again = scenarios::run_once(e.world, strategy, e.seed, sim::TraceLevel::kFull, e.mode);
    return scenarios::sequence_of(again.trace);
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

ordered_json explore_entry(const ExploreSummary& s, const std::vector<ExploreExample>& examples,
                           const strategies::StrategyInfo& strategy) {
  ordered_json progress = ordered_json::array();
  for (const scenarios::SearchProgress& p : s.progress) {
    progress.push_back({{"runs", p.runs},
                        {"pairs_covered", p.pairs_covered},
                        {"pairs_seen", p.pairs_seen},
                        {"interleavings", p.interleavings}});
  }
  ordered_json violations = ordered_json::array();
  for (const ExploreExample& e : examples) {
    violations.push_back({{"invariant", e.invariant},
                          {"violating_runs", e.violating_runs},
                          {"first_run", e.first_run},
                          {"seconds", e.seconds},
                          {"intent", e.intent},
                          {"evidence", e.evidence},
                          {"faults", e.faults},
                          {"replay", e.replay},
                          {"sequence", sequence_json(diagram_of(e, strategy))}});
  }
  ordered_json unjudged = ordered_json::object();
  for (const auto& [kind, runs] : s.unjudged) unjudged[kind] = runs;
  return {{"strategy", s.strategy},
          {"runs", s.runs},
          {"exhausted", s.exhausted},
          {"seconds", s.seconds},
          {"interleavings", s.interleavings},
          {"interleavings_exact", s.interleavings_exact},
          {"pairs_covered", s.pairs_covered},
          {"pairs_seen", s.pairs_seen},
          {"progress", std::move(progress)},
          {"violations", std::move(violations)},
          {"unjudged", std::move(unjudged)}};
}

ordered_json explore_file(const std::string& command, const std::string& scenario, const std::string& mode,
                          std::uint64_t seed, std::uint64_t max_runs, ordered_json strategies) {
  return {{"format", plots::kExploreFormat}, {"version", kVersion}, {"command", command},
          {"scenario", scenario},           {"mode", mode},        {"seed", seed},
          {"max_runs", max_runs},           {"strategies", std::move(strategies)}};
}

}  // namespace idemlab::cli
