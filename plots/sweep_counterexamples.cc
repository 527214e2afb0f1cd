// A sweep's counterexamples: for each invariant some cell violated, the
// first such cell (scenarios in the sweep's order, then strategies) run
// again from its example seed with a full trace, as a sequence diagram.
// The sweep file keeps seeds, not traces, and a run is a pure function of
// its scenario, strategy and seed, so the rerun is the run the sweep judged.
// A scenario that is not shipped (a script file, known here only by its
// name) cannot be rerun and is left out.
#include <exception>
#include <set>

#include "plots/figures.h"
#include "scenarios/sequence.h"
#include "scenarios/shipped.h"

namespace idemlab::plots {

std::vector<SequenceFigure> sweep_counterexamples(const scenarios::SweepFile& sweep, const std::string& source,
                                                  const std::string& stem) {
  std::vector<SequenceFigure> out;
  std::set<std::string> drawn;  // invariants
  for (const scenarios::SweepResult& cell : sweep.cells) {
    for (const auto& [invariant, tally] : cell.violated) {
      if (drawn.count(invariant)) continue;
      const strategies::StrategyInfo* strategy = strategies::find_strategy(cell.strategy);
      if (strategy == nullptr) continue;
      scenarios::SequenceDiagram diagram;
      try {
        const scenarios::Scenario scenario = scenarios::find_scenario(cell.scenario);
        const scenarios::RunReport run =
            scenarios::run_once(scenario, *strategy, tally.example_seed, sim::TraceLevel::kFull);
        if (!scenarios::violates(run, invariant)) continue;  // not the run the sweep judged: say nothing
        diagram = scenarios::sequence_of(run.trace);
      } catch (const std::exception&) {
        continue;  // not shipped, or the run cannot be made again
      }
      drawn.insert(invariant);
      SequenceFigure q;
      q.name = stem + "-" + invariant;
      q.title = cell.strategy + " breaks " + invariant + " (" + cell.scenario + ", seed " +
                std::to_string(tally.example_seed) + ")";
      const std::string replay = "idemlab run " + cell.scenario + " --strategy " + cell.strategy + " --seed " +
                                 std::to_string(tally.example_seed);
      q.caption = "The sweep's first run to break " + invariant + ": " + tally.example_intent + ": " +
                  tally.example_evidence + ". Rows naming " + tally.example_intent + " are marked. Replay: " + replay +
                  " (--mermaid FILE for the same diagram in Mermaid).";
      q.source = source;
      q.intent = tally.example_intent;
      q.diagram = std::move(diagram);
      scenarios::cut_to_readable(q.diagram);
      out.push_back(std::move(q));
    }
  }
  return out;
}

}  // namespace idemlab::plots
