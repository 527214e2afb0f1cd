#include "cli/explore_json.h"

#include <exception>

#include "scenarios/sequence.h"

namespace idemlab::cli {

void add_findings(plots::ExploreStrategy& into, const std::vector<ExploreExample>& examples,
                  const strategies::StrategyInfo& strategy) {
  for (const ExploreExample& e : examples) {
    plots::ExploreFinding& f = into.findings.emplace_back(e.finding);
    try {
      const scenarios::RunReport again = scenarios::run_once(e.world, strategy, e.seed, sim::TraceLevel::kFull, e.mode);
      f.sequence = scenarios::sequence_of(again.trace);
      scenarios::cut_to_readable(f.sequence);
    } catch (const std::exception&) {
      f.sequence = {};
    }
  }
}

}  // namespace idemlab::cli
