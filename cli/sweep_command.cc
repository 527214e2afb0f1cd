// `idemlab sweep`: every strategy against scenarios over many seeds; prints
// the strategy x scenario table of invariants violated, with a seed that
// reproduces each (`idemlab run SCENARIO --strategy NAME --seed N`) and the
// command that shrinks it. `--shard i/n` runs a slice of the seeds and
// `--json` writes what `idemlab merge` combines.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <algorithm>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/progress.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "cli/sweep_table.h"
#include "realmode/interrupt.h"
#include "scenarios/scenario_json.h"
#include "scenarios/shipped.h"
#include "scenarios/sweep.h"
#include "scenarios/sweep_file.h"
#include "sim/strict_json.h"

namespace idemlab::cli {
namespace {

struct SweepOptions {
  std::vector<std::string> scenarios;
  std::vector<std::string> strategies;
  std::uint64_t seeds = 200;
  std::uint64_t first_seed = 1;
  std::string markdown;
  std::string csv;
  std::string json;
  std::string shard = "1/1";
  bool check = false;
  bool require_expected = false;
  bool catalogue = false;
  bool all = false;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
};

// "i/n" with 1 <= i <= n: this run's slice of the seeds.
scenarios::Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 9 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  const std::string i = slash == std::string::npos ? "" : text.substr(0, slash);
  const std::string n = slash == std::string::npos ? "" : text.substr(slash + 1);
  if (!digits(i) || !digits(n) || std::stoull(i) < 1 || std::stoull(i) > std::stoull(n)) {
    throw UsageError("--shard: " + sim::shown(text, 40) + " is not i/n with 1 <= i <= n (say 3/8)");
  }
  return scenarios::Shard{std::stoull(i), std::stoull(n)};
}

// `text` as one shell word: as it is when it is plain, else single-quoted.
std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789_./-") == std::string::npos;
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A scenario to sweep, or why it could not be loaded: that row reports the
// error and the others are swept.
struct Chosen {
  std::string name;
  std::optional<scenarios::Scenario> scenario;
  std::string error;
  std::string argument;  // what names it on the command line again (a name or a path)
};

std::vector<Chosen> chosen_scenarios(const SweepOptions& o) {
  std::vector<Chosen> chosen;
  for (const std::string& name : o.scenarios) {
    try {
      scenarios::Scenario found = scenarios::find_scenario(name);
      std::string shown_as = found.name;
      chosen.push_back({std::move(shown_as), std::move(found), {}, name});
    } catch (const scenarios::ScenarioError& e) {
      chosen.push_back({sim::one_safe_line(name, 80), std::nullopt, sim::one_safe_line(e.what()), name});
    }
  }
  if (!o.scenarios.empty()) return chosen;
  std::vector<scenarios::Scenario> shipped;
  if (!o.catalogue || o.all) shipped = scenarios::failure_scenarios();
  if (o.catalogue || o.all) {
    shipped.insert(shipped.end(), scenarios::catalogue_scenarios().begin(), scenarios::catalogue_scenarios().end());
  }
  for (scenarios::Scenario& s : shipped) {
    const std::string name = s.name;
    chosen.push_back({name, std::move(s), {}, name});
  }
  return chosen;
}

int run_sweep(const SweepOptions& o) {
  check_seed_range(o.first_seed, o.seeds, "--first-seed", "--seeds");
  check_outputs({{"--markdown", o.markdown}, {"--csv", o.csv}, {"--json", o.json}});
  const scenarios::Shard shard = parse_shard(o.shard);
  const std::vector<Chosen> chosen = chosen_scenarios(o);
  const std::vector<const strategies::StrategyInfo*> strategies = strategies_named(o.strategies);

  // One cell per strategy and scenario; the longer list runs down the rows.
  std::map<std::pair<std::size_t, std::size_t>, std::string> cells;
  std::map<std::pair<std::size_t, std::size_t>, scenarios::SweepResult> results;  // by (scenario, strategy)
  int unmet = 0;
  int errors = 0;
  std::vector<std::string> shrink_commands;  // one per cell and invariant violated
  for (std::size_t j = 0; j < chosen.size(); ++j) {
    if (chosen[j].scenario) continue;
    ++errors;
    std::fprintf(stderr, "idemlab: error: %s\n", chosen[j].error.c_str());
  }
  const std::uint64_t per_cell = o.seeds >= shard.index ? (o.seeds - shard.index) / shard.count + 1 : 0;
  std::uint64_t loaded = 0;
  for (const Chosen& c : chosen) loaded += c.scenario ? 1 : 0;
  const std::uint64_t planned = per_cell * loaded * strategies.size();
  Progress progress("sweep", planned);
  std::uint64_t done = 0;
  // The first Ctrl-C stops the sweep between chunks, which then writes what
  // it has, marked partial; a second one kills, as usual.
  realmode::catch_interrupts();
  const auto interrupted = [] { return realmode::interrupt_requested(); };
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    for (std::size_t j = 0; j < chosen.size(); ++j) {
      if (!chosen[j].scenario) {
        cells[{i, j}] = "error: the script could not be loaded";
        continue;
      }
      const scenarios::Scenario& scenario = *chosen[j].scenario;
      if (interrupted()) {
        cells[{i, j}] = "not run (interrupted)";
        scenarios::SweepResult none;
        none.scenario = scenario.name;
        none.strategy = strategies[i]->name;
        results[{j, i}] = std::move(none);
        continue;
      }
      const std::string cell_name = scenario.name + " x " + strategies[i]->name;
      scenarios::SweepControl control;
      control.progress = [&](std::uint64_t runs) { progress.update(done + runs, cell_name); };
      control.stop = interrupted;
      scenarios::SweepResult r =
          scenarios::parallel_sweep(scenario, *strategies[i], o.first_seed, o.seeds, o.jobs, shard, &control);
      done += r.runs;
      std::string why;
      const bool met = scenarios::meets_expectation(scenario, *strategies[i], r, why, o.require_expected);
      if (!met) {
        ++unmet;
        std::fprintf(stderr, "idemlab: %s with %s does not meet its expectation: %s\n", scenario.name.c_str(),
                     strategies[i]->name.c_str(), why.c_str());
      }
      cells[{i, j}] = cell_text(r) + (met ? "" : " (UNEXPECTED)");
      for (const auto& [invariant, tally] : r.violated) {
        shrink_commands.push_back("idemlab shrink " + shell_word(chosen[j].argument) + " --strategy " + strategies[i]->name +
                                  " --seed " + std::to_string(tally.example_seed) + " --invariant " + invariant);
      }
      results[{j, i}] = std::move(r);
    }
  }
  progress.finish();
  const bool partial = interrupted();
  std::vector<std::string> scenario_names, strategy_names;
  for (const Chosen& c : chosen) scenario_names.push_back(c.name);
  for (const strategies::StrategyInfo* s : strategies) strategy_names.push_back(s->name);
  const std::string md = sweep_markdown(scenario_names, strategy_names, cells);
  std::printf("%llu seeds per cell%s, from seed %llu; cells list each invariant violated: runs/seeds (a seed to "
              "reproduce it with idemlab run)\n\n%s",
              static_cast<unsigned long long>(o.seeds),
              shard.count > 1 ? (", shard " + o.shard + " of them").c_str() : "",
              static_cast<unsigned long long>(o.first_seed), md.c_str());
  if (!shrink_commands.empty()) {
    std::printf("\nTo shrink a violation to its smallest script (one command per cell and invariant):\n");
    for (const std::string& command : shrink_commands) std::printf("  %s\n", command.c_str());
  }
  if (!o.markdown.empty()) write_file_atomically(o.markdown, md);
  if (!o.csv.empty()) {
    std::string csv = sweep_csv_header();
    for (const auto& [at, r] : results) csv += sweep_csv_row(r);
    write_file_atomically(o.csv, csv);
  }
  if (!o.json.empty()) {
    scenarios::SweepFile file;
    file.version = kVersion;
    file.first_seed = o.first_seed;
    file.seeds = o.seeds;
    file.shard = shard;
    file.complete = !partial;
    file.strategies = strategy_names;
    for (std::size_t j = 0; j < chosen.size(); ++j) {
      if (!chosen[j].scenario) continue;
      file.scenarios.push_back(chosen[j].name);
      for (std::size_t i = 0; i < strategies.size(); ++i) file.cells.push_back(results.at({j, i}));
    }
    write_file_atomically(o.json, scenarios::sweep_file_text(file));
  }
  if (partial) {
    std::printf("\nPARTIAL: interrupted after %llu of %llu runs; the table and the files hold the runs made\n",
                static_cast<unsigned long long>(done), static_cast<unsigned long long>(planned));
    std::fprintf(stderr, "idemlab: sweep interrupted: partial results (%llu of %llu runs)\n",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(planned));
    return 130;
  }
  if (errors > 0) return 2;
  return o.check && unmet > 0 ? 1 : 0;
}

}  // namespace

void register_sweep(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Every strategy against the failure scenarios (or the catalogue) over many seeds; prints the table");
  CLI::Option* scenario = sweep->add_option("--scenario", options->scenarios,
                                            "Only these scenarios: shipped names or script files (repeatable)");
  CLI::Option* catalogue =
      sweep->add_flag("--catalogue", options->catalogue, "The catalogue of interleavings instead of the failure scenarios");
  CLI::Option* all = sweep->add_flag("--all", options->all, "The failure scenarios and the catalogue");
  catalogue->excludes(all)->excludes(scenario);
  all->excludes(scenario);
  sweep->add_option("--strategy", options->strategies, "Only these strategies (repeatable)");
  sweep->add_option("--seeds", options->seeds, "Seeds per strategy and scenario")->check(CLI::Range(1, 100000000))->capture_default_str();
  add_seed_option(*sweep, "--first-seed", options->first_seed, "The first seed");
  sweep->add_option("--markdown", options->markdown, "Also write the table to FILE");
  sweep->add_option("--csv", options->csv,
                    "Also write FILE: per scenario and strategy, the runs, the runs with a violation, and the runs "
                    "violating each invariant");
  sweep->add_option("--json", options->json,
                    "Also write FILE: the results in full (failing seeds, latency histograms), which merge reads");
  sweep->add_option("--shard", options->shard,
                    "Run only slice i of n of the seeds (1 <= i <= n); merge combines the shards' --json files")
      ->capture_default_str();
  sweep->add_option("--jobs", options->jobs, "Worlds run in parallel (the table does not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  CLI::Option* check =
      sweep->add_flag("--check", options->check, "Exit 1 when a strategy breaks an invariant its scenario does not expect");
  sweep->add_flag("--require-expected", options->require_expected,
                  "With --check, also require every expected violation to be found (some need 10,000 seeds)")
      ->needs(check);
  sweep->callback([options, &commands] { commands.selected = [options] { return run_sweep(*options); }; });
}

}  // namespace idemlab::cli
