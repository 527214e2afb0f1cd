// `idemlab sweep`: every strategy against scenarios over many seeds; prints
// the strategy x scenario table of invariants violated, with a seed that
// reproduces each (`idemlab run SCENARIO --strategy NAME --seed N`).
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <algorithm>

#include "cli/commands.h"
#include "cli/files.h"
#include "scenarios/failure_scenarios.h"
#include "scenarios/sweep.h"

namespace idemlab::cli {
namespace {

struct SweepOptions {
  std::vector<std::string> scenarios;
  std::vector<std::string> strategies;
  std::uint64_t seeds = 200;
  std::uint64_t first_seed = 1;
  std::string markdown;
  bool check = false;
  bool require_expected = false;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
};

std::string cell(const scenarios::SweepResult& r) {
  if (r.violated.empty()) return "safe";
  std::string text;
  for (const auto& [invariant, tally] : r.violated) {
    if (!text.empty()) text += "; ";
    text += invariant + " " + std::to_string(tally.runs) + "/" + std::to_string(r.runs) + " (seed " +
            std::to_string(tally.example_seed) + ")";
  }
  return text;
}

int run_sweep(const SweepOptions& o) {
  std::vector<scenarios::Scenario> chosen;
  for (const scenarios::Scenario& s : scenarios::failure_scenarios()) {
    bool wanted = o.scenarios.empty();
    for (const std::string& name : o.scenarios) wanted |= name == s.name;
    if (wanted) chosen.push_back(s);
  }
  for (const std::string& name : o.scenarios) {
    bool known = false;
    for (const scenarios::Scenario& s : chosen) known |= s.name == name;
    if (!known) throw UsageError("--scenario: unknown scenario '" + name + "'");
  }
  std::vector<const strategies::StrategyInfo*> strategies;
  for (const std::string& name : o.strategies) {
    const strategies::StrategyInfo* info = strategies::find_strategy(name);
    if (info == nullptr) throw UsageError("--strategy: unknown strategy '" + name + "'");
    strategies.push_back(info);
  }
  if (strategies.empty()) {
    for (const auto& info : strategies::all_strategies()) strategies.push_back(&info);
  }

  std::ostringstream md;
  md << "| strategy |";
  for (const auto& s : chosen) md << " " << s.name << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < chosen.size(); ++i) md << "---|";
  md << "\n";
  int unmet = 0;
  for (const strategies::StrategyInfo* strategy : strategies) {
    md << "| " << strategy->name << " |";
    for (const auto& scenario : chosen) {
      const scenarios::SweepResult r = scenarios::parallel_sweep(scenario, *strategy, o.first_seed, o.seeds, o.jobs);
      std::string why;
      const bool met = scenarios::meets_expectation(scenario, r, why, o.require_expected);
      if (!met) {
        ++unmet;
        std::fprintf(stderr, "idemlab: %s with %s does not meet its expectation: %s\n", scenario.name.c_str(),
                     strategy->name.c_str(), why.c_str());
      }
      md << " " << cell(r) << (met ? "" : " (UNEXPECTED)") << " |";
    }
    md << "\n";
  }
  std::printf("%llu seeds per cell, from seed %llu; cells list each invariant violated: runs/seeds (a seed to "
              "reproduce it with idemlab run)\n\n%s",
              static_cast<unsigned long long>(o.seeds), static_cast<unsigned long long>(o.first_seed), md.str().c_str());
  if (!o.markdown.empty()) write_file_atomically(o.markdown, md.str());
  return o.check && unmet > 0 ? 1 : 0;
}

}  // namespace

void register_sweep(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* sweep = app.add_subcommand("sweep", "Every strategy against the failure scenarios over many seeds; prints the table");
  sweep->add_option("--scenario", options->scenarios, "Only these scenarios (repeatable)");
  sweep->add_option("--strategy", options->strategies, "Only these strategies (repeatable)");
  sweep->add_option("--seeds", options->seeds, "Seeds per strategy and scenario")->check(CLI::Range(1, 100000000))->capture_default_str();
  sweep->add_option("--first-seed", options->first_seed, "The first seed")->capture_default_str();
  sweep->add_option("--markdown", options->markdown, "Also write the table to FILE");
  sweep->add_option("--jobs", options->jobs, "Worlds run in parallel (the table does not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sweep->add_flag("--check", options->check, "Exit 1 when a strategy breaks an invariant its scenario does not expect");
  sweep->add_flag("--require-expected", options->require_expected,
                  "With --check, also require every expected violation to be found (some need 10,000 seeds)");
  sweep->callback([options, &commands] { commands.selected = [options] { return run_sweep(*options); }; });
}

}  // namespace idemlab::cli
