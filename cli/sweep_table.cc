#include "cli/sweep_table.h"

#include <sstream>

#include "checks/invariants.h"
#include "scenarios/scenario.h"

namespace idemlab::cli {
namespace {

// The runs without a verdict, as SweepResult::unjudged names them, and as
// the CSV's columns name them.
const char* const kUnjudgedKinds[] = {scenarios::outcome_name(scenarios::RunOutcome::kDidNotConverge),
                                      scenarios::outcome_name(scenarios::RunOutcome::kSetupFailed),
                                      scenarios::outcome_name(scenarios::RunOutcome::kWorkloadNeverStarted),
                                      "error"};
constexpr const char* kUnjudgedColumns[] = {"did_not_converge", "setup_failed", "workload_never_started", "errors"};

}  // namespace

std::string cell_text(const scenarios::SweepResult& r) {
  std::string text;
  auto add = [&](const std::string& what, std::uint64_t runs, std::uint64_t seed) {
    if (!text.empty()) text += "; ";
    text += what + " " + std::to_string(runs) + "/" + std::to_string(r.runs) + " (seed " + std::to_string(seed) + ")";
  };
  for (const auto& [invariant, tally] : r.violated) add(invariant, tally.runs, tally.example_seed);
  for (const auto& [kind, tally] : r.unjudged) add(kind, tally.runs, tally.example_seed);
  if (!text.empty()) return text;
  // No violation, but nothing the scenario does reached the strategy: untested, not safe.
  return r.runs > 0 && r.runs_disturbed == 0 ? "untested" : "safe";
}

std::string sweep_markdown(const std::vector<std::string>& scenarios, const std::vector<std::string>& strategies,
                           const std::map<std::pair<std::size_t, std::size_t>, std::string>& cells) {
  const bool scenario_rows = scenarios.size() > strategies.size();
  const std::size_t rows = scenario_rows ? scenarios.size() : strategies.size();
  const std::size_t columns = scenario_rows ? strategies.size() : scenarios.size();
  auto row_name = [&](std::size_t r) { return scenario_rows ? scenarios[r] : strategies[r]; };
  auto column_name = [&](std::size_t c) { return scenario_rows ? strategies[c] : scenarios[c]; };
  auto at = [&](std::size_t strategy, std::size_t scenario) {
    const auto found = cells.find({strategy, scenario});
    return found == cells.end() ? std::string() : found->second;
  };
  std::ostringstream md;
  md << (scenario_rows ? "| scenario |" : "| strategy |");
  for (std::size_t c = 0; c < columns; ++c) md << " " << column_name(c) << " |";
  md << "\n|---|";
  for (std::size_t c = 0; c < columns; ++c) md << "---|";
  md << "\n";
  for (std::size_t r = 0; r < rows; ++r) {
    md << "| " << row_name(r) << " |";
    for (std::size_t c = 0; c < columns; ++c) md << " " << (scenario_rows ? at(c, r) : at(r, c)) << " |";
    md << "\n";
  }
  return md.str();
}

std::string sweep_csv_header() {
  std::ostringstream csv;
  csv << "scenario,strategy,runs,runs_with_violations";
  for (const std::string& invariant : checks::invariant_names()) csv << ',' << invariant;
  for (const char* kind : kUnjudgedColumns) csv << ',' << kind;
  csv << ",runs_disturbed\n";
  return csv.str();
}

std::string sweep_csv_row(const scenarios::SweepResult& r) {
  std::ostringstream csv;
  csv << r.scenario << ',' << r.strategy << ',' << r.runs << ',' << r.runs_with_violations;
  for (const std::string& invariant : checks::invariant_names()) {
    const auto found = r.violated.find(invariant);
    csv << ',' << (found == r.violated.end() ? 0 : found->second.runs);
  }
  for (const char* kind : kUnjudgedKinds) {
    const auto found = r.unjudged.find(kind);
    csv << ',' << (found == r.unjudged.end() ? 0 : found->second.runs);
  }
  csv << ',' << r.runs_disturbed << '\n';
  return csv.str();
}

}  // namespace idemlab::cli
