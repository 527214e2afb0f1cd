// `idemlab rediscover [SCENARIO...]`: each scenario's faults taken out, its
// workload searched by explore with every strategy, and what the search
// finds set beside what the hand-written faults showed (scenarios/
// rediscover.h). Prints a line per cell and a summary per strategy;
// --markdown writes the tables of docs/results.md. Exit code 1 when the
// search missed a violation that a script expects.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "scenarios/rediscover.h"
#include "scenarios/shipped.h"

namespace idemlab::cli {
namespace {

struct RediscoverCommandOptions {
  std::vector<std::string> scenarios;  // empty: the failure scenarios and the catalogue
  std::vector<std::string> strategies;
  int faults = 1;
  std::uint64_t max_runs = 3000;
  std::uint64_t seed = 1;
  bool no_shrink = false;
  std::string markdown;
};

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "-" : out;
}

std::string size_text(const scenarios::ScriptSize& s) {
  return std::to_string(s.faults) + " fault" + (s.faults == 1 ? "" : "s") + ", " + std::to_string(s.clients) + "c/" +
         std::to_string(s.intents) + "i/" + std::to_string(s.attempts) + "a";
}

// "crash at after:processor.charge@api #1; ...", or "" for none.
std::string placement_text(const std::vector<scenarios::TargetedFault>& faults) {
  std::string text;
  for (const scenarios::TargetedFault& fault : faults) text += (text.empty() ? "" : "; ") + scenarios::fault_text(fault);
  return text;
}

struct Tally {
  std::uint64_t cells = 0, expected = 0, found = 0, missed = 0, unexpected = 0;
  std::vector<std::uint64_t> runs_to_first;
  std::vector<double> seconds_to_first;
};

template <class T>
T median(std::vector<T> v) {
  if (v.empty()) return T{};
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string markdown(const std::vector<scenarios::Rediscovery>& cells, const std::map<std::string, Tally>& tallies,
                     const std::vector<const strategies::StrategyInfo*>& order, const RediscoverCommandOptions& o) {
  std::ostringstream md;
  char line[512];
  md << "Per strategy (" << cells.size() / std::max<std::size_t>(order.size(), 1) << " scripts, up to " << o.faults
     << " added fault" << (o.faults == 1 ? "" : "s") << ", at most " << o.max_runs << " runs per cell, seed " << o.seed
     << "):\n\n| strategy | expected violations | found | missed | found, not expected | median runs to first | "
        "median s to first |\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (const strategies::StrategyInfo* s : order) {
    const Tally& t = tallies.at(s->name);
    std::snprintf(line, sizeof line, "| %s | %llu | %llu | %llu | %llu | ", s->name.c_str(),
                  static_cast<unsigned long long>(t.expected), static_cast<unsigned long long>(t.found),
                  static_cast<unsigned long long>(t.missed), static_cast<unsigned long long>(t.unexpected));
    md << line;
    if (t.runs_to_first.empty()) {
      md << "- | - |\n";
    } else {
      std::snprintf(line, sizeof line, "%llu | %.3f |\n", static_cast<unsigned long long>(median(t.runs_to_first)),
                    median(t.seconds_to_first));
      md << line;
    }
  }
  md << "\nEvery expected violation (the hand-written script's size beside the shrunk counterexample's: faults, "
        "clients/intents/attempts):\n\n| scenario | strategy | invariant | runs to first | s to first | first "
        "placement | hand-written | shrunk |\n|---|---|---|---:|---:|---|---|---|\n";
  for (const scenarios::Rediscovery& c : cells) {
    for (const std::string& invariant : c.expected) {
      const auto f = c.found.find(invariant);
      if (f == c.found.end()) {
        md << "| " << c.scenario << " | " << c.strategy << " | " << invariant << " | **missed** | | | "
           << size_text(c.hand_written) << " | |\n";
        continue;
      }
      const std::string placement = placement_text(f->second.first.added);
      std::snprintf(line, sizeof line, "| %s | %s | %s | %llu | %.3f | %s | %s | %s%s |\n", c.scenario.c_str(),
                    c.strategy.c_str(), invariant.c_str(), static_cast<unsigned long long>(f->second.first.run),
                    f->second.first.seconds, placement.empty() ? "none" : placement.c_str(),
                    size_text(c.hand_written).c_str(), size_text(f->second.size).c_str(),
                    f->second.shrunk ? "" : " (not shrunk)");
      md << line;
    }
  }
  md << "\nFound and not expected, for the strategies meant to be safe (each is a bug fixed or a finding "
        "explained):\n\n| scenario | strategy | invariant | first placement | evidence |\n|---|---|---|---|---|\n";
  for (const scenarios::Rediscovery& c : cells) {
    const strategies::StrategyInfo* info = strategies::find_strategy(c.strategy);
    if (info == nullptr || info->textbook || c.strategy == "baseline") continue;
    for (const std::string& invariant : c.unexpected) {
      const scenarios::Counterexample& first = c.found.at(invariant).first;
      const std::string placement = placement_text(first.added);
      md << "| " << c.scenario << " | " << c.strategy << " | " << invariant << " | "
         << (placement.empty() ? "none" : placement) << " | " << first.evidence << " |\n";
    }
  }
  return md.str();
}

int rediscover_command(const RediscoverCommandOptions& o) {
  if (o.faults < 0 || o.faults > 4) throw UsageError("--faults: " + std::to_string(o.faults) + " is not within 0..4");
  if (o.max_runs < 1) throw UsageError("--max-runs: must be at least 1");
  std::vector<std::string> names = o.strategies;
  if (names.size() == 1 && names[0] == "all") names.clear();
  const std::vector<const strategies::StrategyInfo*> chosen = strategies_named(names);
  std::vector<scenarios::Scenario> scripts;
  if (o.scenarios.empty()) {
    for (const auto* group : {&scenarios::failure_scenarios(), &scenarios::catalogue_scenarios()}) {
      scripts.insert(scripts.end(), group->begin(), group->end());
    }
  }
  for (const std::string& name : o.scenarios) scripts.push_back(scenarios::find_scenario(name));
  for (const scenarios::Scenario& s : scripts) {
    if (s.source.empty()) throw UsageError(s.name + ": no script text to search from");
  }
  if (!o.markdown.empty()) check_output("--markdown", o.markdown);

  const auto start = std::chrono::steady_clock::now();
  scenarios::RediscoverOptions options;
  options.faults_max = o.faults;
  options.runs_max = o.max_runs;
  options.seed = o.seed;
  options.shrink = !o.no_shrink;
  options.clock = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

  std::vector<scenarios::Rediscovery> cells;
  std::map<std::string, Tally> tallies;
  for (const strategies::StrategyInfo* s : chosen) tallies[s->name];
  for (const scenarios::Scenario& script : scripts) {
    for (const strategies::StrategyInfo* strategy : chosen) {
      scenarios::Rediscovery c = scenarios::rediscover(script, *strategy, options);
      Tally& t = tallies[strategy->name];
      ++t.cells;
      t.expected += c.expected.size();
      t.missed += c.missed.size();
      t.found += c.expected.size() - c.missed.size();
      t.unexpected += c.unexpected.size();
      for (const std::string& invariant : c.expected) {
        const auto f = c.found.find(invariant);
        if (f == c.found.end()) continue;
        t.runs_to_first.push_back(f->second.first.run);
        t.seconds_to_first.push_back(f->second.first.seconds);
      }
      std::printf("%-45s %-32s %5llu runs %-9s expected %s; missed %s; also found %s (%.1f s)\n", c.scenario.c_str(),
                  c.strategy.c_str(), static_cast<unsigned long long>(c.search.runs),
                  c.search.exhausted ? "exhausted" : "cut", joined(c.expected).c_str(), joined(c.missed).c_str(),
                  joined(c.unexpected).c_str(), c.seconds);
      std::fflush(stdout);
      cells.push_back(std::move(c));
    }
  }
  std::uint64_t missed = 0, expected = 0;
  for (const auto& [name, t] : tallies) {
    missed += t.missed;
    expected += t.expected;
  }
  std::printf("\n%llu of %llu expected violations found without hints; %llu missed\n",
              static_cast<unsigned long long>(expected - missed), static_cast<unsigned long long>(expected),
              static_cast<unsigned long long>(missed));
  if (!o.markdown.empty()) {
    write_file_atomically(o.markdown, markdown(cells, tallies, chosen, o));
    std::printf("tables written to %s\n", o.markdown.c_str());
  }
  return missed == 0 ? 0 : 1;
}

}  // namespace

void register_rediscover(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<RediscoverCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rediscover", "Take each script's faults out, explore its workload, and compare with what the faults showed");
  cmd->add_option("scenario", options->scenarios, "Shipped scenario names or script files (default: the failure "
                                                  "scenarios and the catalogue)");
  cmd->add_option("--strategy", options->strategies, "A strategy (repeatable), or all (the default)");
  cmd->add_option("--faults", options->faults, "Faults added to one run, at most (0..4)")->capture_default_str();
  cmd->add_option("--max-runs", options->max_runs, "Runs per scenario and strategy before the search is cut")
      ->capture_default_str();
  add_seed_option(*cmd, "--seed", options->seed, "Seed of every run's decision tape (latencies)");
  cmd->add_flag("--no-shrink", options->no_shrink, "Do not shrink the counterexamples (their size is then the search's)");
  cmd->add_option("--markdown", options->markdown, "Write the tables (Markdown) to FILE");
  cmd->callback([options, &commands] { commands.selected = [options] { return rediscover_command(*options); }; });
}

}  // namespace idemlab::cli
