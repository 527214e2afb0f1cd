// `idemlab explore SCENARIO --strategy NAME|all`: a systematic search of
// fault placements (scenarios/explore.h) from the scenario's world and
// workload. Prints, per strategy, the runs, whether the space was exhausted
// or cut, and for each invariant violated the first placement that broke it
// (the fewest faults), written as a script that `idemlab run` replays.
// --json FILE also writes the results for `idemlab plot` (cli/explore_json.h).
// Exit code 1 when any invariant was violated.
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "cli/commands.h"
#include "cli/explore_json.h"
#include "cli/files.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "scenarios/explore.h"
#include "scenarios/scenario_json.h"
#include "scenarios/schedule.h"
#include "scenarios/schedule_search.h"
#include "scenarios/shipped.h"
#include "scenarios/swarm.h"
#include "sim/time.h"

namespace idemlab::cli {
namespace {

struct ExploreCommandOptions {
  std::string scenario;
  std::vector<std::string> strategies;
  int faults = 2;
  std::uint64_t max_runs = 20000;
  double max_time = 0;  // seconds per strategy; 0: no bound
  std::uint64_t seed = 1;
  bool without_script_faults = false;
  std::vector<std::string> actions;  // empty: every action
  bool swarm = false;
  bool schedules = false;
  int deviations = 2;
  int pct = 0;
  bool hash_states = false;
  bool verify_hashes = false;
  std::string dot;  // with --schedules: write the state graph here
  std::string downtime = "100ms";  // or "LOW..HIGH"
  std::string out = "out/explore";
  std::string json;          // --json: the results as a file, for idemlab plot
  std::string command_line;  // what --json records as the command
};

// Where --json's strategies go (nullptr without --json).
using Entries = std::vector<plots::ExploreStrategy>*;

// What --json records of a search's first counterexample of `invariant`
// (each search's kind has these fields); the caller adds its faults, world
// and replay command.
template <class Found>
ExploreExample example_of(const std::string& invariant, std::uint64_t violating_runs, const Found& found) {
  ExploreExample e;
  e.finding.invariant = invariant;
  e.finding.violating_runs = violating_runs;
  e.finding.first_run = found.run;
  e.finding.seconds = found.seconds;
  e.finding.intent = found.intent;
  e.finding.evidence = found.evidence;
  return e;
}

// "100ms" or "100ms..10s": a crash's downtime, fixed or drawn from a range.
std::pair<sim::Duration, sim::Duration> parse_downtime(const std::string& text) {
  const std::size_t dots = text.find("..");
  const std::string low_text = text.substr(0, dots);
  const std::optional<sim::Duration> low = sim::parse_duration(low_text);
  const std::optional<sim::Duration> high =
      dots == std::string::npos ? low : sim::parse_duration(text.substr(dots + 2));
  if (!low || !high || *high < *low || *high > 400 * 24 * 3600 * sim::kSecond) {
    throw UsageError("--downtime: \"" + text + "\" is not a duration (\"100ms\") or a range LOW..HIGH (\"100ms..10s\")");
  }
  return {*low, *high > *low ? *high : 0};
}

// A search's clock, on the wall (simulated code reads none): sets the
// options' seconds-since-start and, with --max-time, their time bound.
template <class SearchOptions>
std::function<double()> start_clock(SearchOptions& options, double max_time) {
  const auto start = std::chrono::steady_clock::now();
  std::function<double()> elapsed = [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  options.elapsed = elapsed;
  if (max_time > 0) options.out_of_time = [elapsed, max_time] { return elapsed() >= max_time; };
  return elapsed;
}

// "1,234 interleavings" or "about 1,234 interleavings (HyperLogLog estimate)".
std::string interleavings_text(std::uint64_t count, bool exact) {
  const std::string n = std::to_string(count) + " distinct interleaving" + (count == 1 ? "" : "s");
  return exact ? n : "about " + n + " (HyperLogLog estimate)";
}

// --schedules: the orders of simultaneous events and the ends of latency
// ranges, from the script's world, workload and faults.
bool schedules_one(const scenarios::Scenario& scenario, const strategies::StrategyInfo& strategy,
                   const ExploreCommandOptions& o, Entries entries) {
  scenarios::ScheduleSearchOptions options;
  options.deviations_max = o.deviations;
  options.runs_max = o.max_runs;
  options.seed = o.seed;
  options.keep_script_faults = !o.without_script_faults;
  options.pct_depth = o.pct;
  options.hash_states = o.hash_states || o.verify_hashes || !o.dot.empty();
  options.verify_hashes = o.verify_hashes;
  options.want_dot = !o.dot.empty();
  const std::function<double()> elapsed = start_clock(options, o.max_time);
  const scenarios::ScheduleSearchResult r = scenarios::search_schedules(scenario, strategy, options);
  std::printf("\n%s: %llu schedule runs, %s; the seed's run has %llu order and %llu latency choice points; %s in %.1f s\n",
              strategy.name.c_str(), static_cast<unsigned long long>(r.runs),
              interleavings_text(r.interleavings, r.interleavings_exact).c_str(),
              static_cast<unsigned long long>(r.order_points), static_cast<unsigned long long>(r.latency_points),
              o.pct > 0 ? "PCT samples (never exhausts)" : r.exhausted ? "space exhausted" : "search cut", elapsed());
  if (options.hash_states) {
    std::printf("  %llu states, %llu steps between them%s; %llu runs not extended past a state explored before",
                static_cast<unsigned long long>(r.states), static_cast<unsigned long long>(r.state_edges),
                r.graph_truncated ? " (the graph is cut at its bound)" : "", static_cast<unsigned long long>(r.merged));
    if (o.verify_hashes) std::printf("; %llu merges verified", static_cast<unsigned long long>(r.hash_checks));
    std::printf("\n");
  }
  if (!o.dot.empty()) {
    const std::string path = o.dot + (o.strategies.size() == 1 && o.strategies[0] != "all" ? "" : "." + path_component(strategy.name));
    write_file_atomically(path, r.dot);
    std::printf("  state graph: %s\n", path.c_str());
  }
  for (const auto& [kind, runs] : r.unjudged) {
    std::printf("  %s: %llu runs (no verdict)\n", kind.c_str(), static_cast<unsigned long long>(runs));
  }
  if (r.first.empty()) std::printf("  no invariant violated\n");
  std::vector<ExploreExample> examples;
  for (const auto& [invariant, example] : r.first) {
    ExploreExample& e = examples.emplace_back(example_of(invariant, r.violating_runs.at(invariant), example));
    for (const scenarios::Deviation& d : example.deviations) e.finding.faults.push_back(scenarios::deviation_text(d));
    e.world = scenarios::with_faults(scenario, {}, options.keep_script_faults);
    e.world.schedule = example.schedule;
    e.seed = o.seed;
    e.mode = scenarios::RunMode::kReplay;
    if (example.path_steps > 0) {
      std::printf("  (shortest path in the state graph to the violating state: %llu steps)\n",
                  static_cast<unsigned long long>(example.path_steps));
    }
    std::printf("  VIOLATED %s in %llu runs; first at run %llu (%.2f s)", invariant.c_str(),
                static_cast<unsigned long long>(r.violating_runs.at(invariant)),
                static_cast<unsigned long long>(example.run), example.seconds);
    if (o.pct > 0 && example.pct_run == 0) {
      std::printf(", in the seed's own schedule:\n");
    } else if (o.pct > 0) {
      std::printf(", PCT run %llu:\n", static_cast<unsigned long long>(example.pct_run));
    } else {
      std::printf(" with %zu deviation%s from the seed's schedule:\n", example.deviations.size(),
                  example.deviations.size() == 1 ? "" : "s");
    }
    for (const scenarios::Deviation& d : example.deviations) std::printf("    %s\n", scenarios::deviation_text(d).c_str());
    std::printf("    %s: %s\n", example.intent.c_str(), example.evidence.c_str());
    if (scenario.source.empty()) continue;
    scenarios::Scenario written = scenario;
    written.source = scenarios::script_with_faults(
        scenario, scenarios::with_faults(scenario, {}, options.keep_script_faults).faults);
    const std::string path = o.out + "/" + path_component(scenario.name) + "." + path_component(strategy.name) +
                             ".schedule." + path_component(invariant) + ".json";
    write_file_atomically(path, scenarios::script_with_schedule(written, example.schedule));
    e.finding.replay = "idemlab run " + path + " --strategy " + strategy.name;
    std::printf("    replay: %s\n", e.finding.replay.c_str());
  }
  if (entries != nullptr) {
    plots::ExploreStrategy& summary = entries->emplace_back(summary_of(strategy.name, r, elapsed()));
    summary.exhausted = o.pct == 0 && r.exhausted;  // no faults placed: no pairs
    add_findings(summary, examples, strategy);
  }
  return !r.first.empty();
}

// --swarm: random worlds and faults instead of the breadth-first search.
bool swarm_one(const scenarios::Scenario& scenario, const strategies::StrategyInfo& strategy,
               const ExploreCommandOptions& o, Entries entries) {
  scenarios::SwarmOptions options;
  options.runs_max = o.max_runs;
  options.seed = o.seed;
  options.faults_max = o.faults;
  const std::function<double()> elapsed = start_clock(options, o.max_time);
  const scenarios::SwarmResult r = scenarios::swarm(scenario, strategy, options);
  std::printf("\n%s: %llu swarm runs%s, %s, (site, action) pairs placed %llu of %llu seen, in %.1f s\n",
              strategy.name.c_str(), static_cast<unsigned long long>(r.runs), r.cut ? " (cut by --max-time)" : "",
              interleavings_text(r.interleavings, r.interleavings_exact).c_str(),
              static_cast<unsigned long long>(r.pairs_covered), static_cast<unsigned long long>(r.pairs_seen),
              elapsed());
  for (const auto& [kind, runs] : r.unjudged) {
    std::printf("  %s: %llu runs (no verdict)\n", kind.c_str(), static_cast<unsigned long long>(runs));
  }
  if (r.first.empty()) std::printf("  no invariant violated\n");
  std::vector<ExploreExample> examples;
  for (const auto& [invariant, found] : r.first) {
    ExploreExample& e = examples.emplace_back(example_of(invariant, r.violating_runs.at(invariant), found));
    for (const std::string& d : found.drawn) e.finding.faults.push_back("world: " + d);
    for (const scenarios::TargetedFault& f : found.faults) e.finding.faults.push_back(scenarios::fault_text(f));
    e.world = scenarios::parse_scenario(found.script, scenario.name + " (swarm run " + std::to_string(found.run) + ")");
    e.seed = found.seed;
    std::printf("  VIOLATED %s in %llu runs; first at run %llu (%.2f s), seed %llu:\n", invariant.c_str(),
                static_cast<unsigned long long>(r.violating_runs.at(invariant)), static_cast<unsigned long long>(found.run),
                found.seconds, static_cast<unsigned long long>(found.seed));
    std::string drawn;
    for (const std::string& d : found.drawn) drawn += (drawn.empty() ? "" : ", ") + d;
    std::printf("    world: %s\n", drawn.empty() ? "the scenario's own" : drawn.c_str());
    for (const scenarios::TargetedFault& f : found.faults) std::printf("    %s\n", scenarios::fault_text(f).c_str());
    std::printf("    %s: %s\n", found.intent.c_str(), found.evidence.c_str());
    const std::string path = o.out + "/" + path_component(scenario.name) + "." + path_component(strategy.name) +
                             ".swarm." + path_component(invariant) + ".json";
    write_file_atomically(path, found.script);
    e.finding.replay = "idemlab run " + path + " --strategy " + strategy.name + " --seed " + std::to_string(found.seed);
    std::printf("    replay: %s\n", e.finding.replay.c_str());
    std::printf("    shrink: idemlab shrink %s --strategy %s --seed %llu --invariant %s\n", path.c_str(),
                strategy.name.c_str(), static_cast<unsigned long long>(found.seed), invariant.c_str());
  }
  if (entries != nullptr) {
    plots::ExploreStrategy& summary = entries->emplace_back(summary_of(strategy.name, r, elapsed()));
    summary.pairs_covered = r.pairs_covered;  // a swarm samples: it never exhausts its space
    summary.pairs_seen = r.pairs_seen;
    add_findings(summary, examples, strategy);
  }
  return !r.first.empty();
}

std::set<scenarios::TargetedFault::Action> parse_actions(const std::vector<std::string>& names) {
  std::set<scenarios::TargetedFault::Action> out;
  for (const std::string& name : names) {
    scenarios::TargetedFault::Action action{};
    if (!scenarios::parse_action(name, action)) {
      throw UsageError("--actions: unknown action \"" + name +
                       "\" (crash, drop_request, drop_reply, duplicate, delay, restart_redis, failover_redis, "
                       "restart_postgres, restart_broker)");
    }
    out.insert(action);
  }
  return out;
}

int explore_command(const ExploreCommandOptions& o) {
  if (o.faults < 0 || o.faults > 4) throw UsageError("--faults: " + std::to_string(o.faults) + " is not within 0..4");
  if (o.max_runs < 1) throw UsageError("--max-runs: must be at least 1");
  if (!(o.max_time >= 0)) throw UsageError("--max-time: must be 0 (no bound) or a number of seconds");
  std::vector<std::string> names = o.strategies;
  if (names.size() == 1 && names[0] == "all") names.clear();
  const std::vector<const strategies::StrategyInfo*> chosen = strategies_named(names);
  const std::set<scenarios::TargetedFault::Action> actions = parse_actions(o.actions);
  if (o.swarm && !actions.empty()) throw UsageError("--actions: a swarm draws its own actions; give one or the other");
  if (o.swarm && o.schedules) throw UsageError("--schedules: a swarm draws its own faults; give one or the other");
  if (o.schedules && !actions.empty()) throw UsageError("--actions: --schedules places no faults");
  if (o.deviations < 0 || o.deviations > 4) {
    throw UsageError("--deviations: " + std::to_string(o.deviations) + " is not within 0..4");
  }
  if (o.pct < 0 || o.pct > 10) throw UsageError("--pct: " + std::to_string(o.pct) + " is not within 0..10 (0: no PCT)");
  if (o.pct > 0 && !o.schedules) throw UsageError("--pct: PCT orders schedules; add --schedules");
  if ((o.hash_states || o.verify_hashes || !o.dot.empty()) && (!o.schedules || o.pct > 0)) {
    throw UsageError(std::string(o.dot.empty() ? (o.verify_hashes ? "--verify-hashes" : "--hash-states") : "--dot") +
                     ": state hashing goes with the enumeration of --schedules (not --pct)");
  }
  parse_downtime(o.downtime);  // refused before anything runs
  if (!o.dot.empty()) check_output("--dot", o.dot);
  if (!o.json.empty()) check_output("--json", o.json);
  const scenarios::Scenario scenario = scenarios::find_scenario(o.scenario);
  if (o.swarm && scenario.source.empty()) throw UsageError(o.scenario + ": no script text to draw worlds from");
  make_directories("--out", o.out);

  char time_bound[64] = "";
  if (o.max_time > 0) std::snprintf(time_bound, sizeof time_bound, " or %g s", o.max_time);
  std::string only;
  for (scenarios::TargetedFault::Action a : actions) only += std::string(only.empty() ? ", only " : ", ") + scenarios::action_name(a);
  const char* kept = scenario.faults.empty() || o.without_script_faults || o.swarm ? "" : ", the script's faults kept";
  bool any_violation = false;
  plots::ExploreResults results;
  const Entries into = o.json.empty() ? nullptr : &results.strategies;
  // Written after every search, whatever it found.
  const auto finish = [&](const char* mode) {
    if (into != nullptr) {
      results.version = kVersion;
      results.command = o.command_line;
      results.scenario = scenario.name;
      results.mode = mode;
      results.seed = o.seed;
      results.max_runs = o.max_runs;
      write_file_atomically(o.json, plots::explore_results_text(results));
      std::printf("\nresults: %s\n", o.json.c_str());
    }
    return any_violation ? 1 : 0;
  };
  if (o.schedules) {
    char space[64];
    if (o.pct > 0) {
      std::snprintf(space, sizeof space, "PCT with depth %d", o.pct);
    } else {
      std::snprintf(space, sizeof space, "up to %d deviation%s", o.deviations, o.deviations == 1 ? "" : "s");
    }
    std::printf("explore %s --schedules: seed %llu, %s, at most %llu runs%s per strategy%s\n", scenario.name.c_str(),
                static_cast<unsigned long long>(o.seed), space, static_cast<unsigned long long>(o.max_runs), time_bound,
                kept);
    for (const strategies::StrategyInfo* strategy : chosen) {
      any_violation |= schedules_one(scenario, *strategy, o, into);
    }
    return finish("schedules");
  }
  std::printf("explore %s: seed %llu, up to %d added fault%s%s, at most %llu runs%s per strategy%s\n",
              scenario.name.c_str(), static_cast<unsigned long long>(o.seed), o.faults, o.faults == 1 ? "" : "s",
              only.c_str(), static_cast<unsigned long long>(o.max_runs), time_bound, kept);
  if (o.swarm) {
    for (const strategies::StrategyInfo* strategy : chosen) any_violation |= swarm_one(scenario, *strategy, o, into);
    return finish("swarm");
  }
  for (const strategies::StrategyInfo* strategy : chosen) {
    scenarios::ExploreOptions options;
    options.faults_max = o.faults;
    options.runs_max = o.max_runs;
    options.seed = o.seed;
    options.keep_script_faults = !o.without_script_faults;
    options.actions = actions;
    std::tie(options.crash_downtime, options.crash_downtime_max) = parse_downtime(o.downtime);
    const std::function<double()> elapsed = start_clock(options, o.max_time);
    const scenarios::ExploreResult r = scenarios::explore(scenario, *strategy, options);
    std::printf("\n%s: %llu runs (%llu equivalent placements pruned), %s, %llu sites, (site, action) pairs placed "
                "%llu of %llu seen, %s in %.1f s\n",
                strategy->name.c_str(), static_cast<unsigned long long>(r.runs),
                static_cast<unsigned long long>(r.pruned),
                interleavings_text(r.interleavings, r.interleavings_exact).c_str(),
                static_cast<unsigned long long>(r.sites), static_cast<unsigned long long>(r.pairs_placed),
                static_cast<unsigned long long>(r.pairs_seen), r.exhausted ? "space exhausted" : "search cut", elapsed());
    for (const auto& [kind, runs] : r.unjudged) {
      std::printf("  %s: %llu runs (no verdict)", kind.c_str(), static_cast<unsigned long long>(runs));
      const auto first = r.first_unjudged.find(kind);
      if (first != r.first_unjudged.end()) {
        std::printf("; first at run %llu:", static_cast<unsigned long long>(first->second.run));
        for (const scenarios::TargetedFault& f : first->second.added) std::printf(" %s;", scenarios::fault_text(f).c_str());
      }
      std::printf("\n");
    }
    if (r.first.empty()) std::printf("  no invariant violated\n");
    std::vector<ExploreExample> examples;
    for (const auto& [invariant, example] : r.first) {
      any_violation = true;
      ExploreExample& e = examples.emplace_back(example_of(invariant, r.violating_runs.at(invariant), example));
      for (const scenarios::TargetedFault& f : example.added) e.finding.faults.push_back(scenarios::fault_text(f));
      e.seed = o.seed;
      std::printf("  VIOLATED %s in %llu runs; first at run %llu with %zu added fault%s:\n", invariant.c_str(),
                  static_cast<unsigned long long>(r.violating_runs.at(invariant)),
                  static_cast<unsigned long long>(example.run), example.added.size(),
                  example.added.size() == 1 ? "" : "s");
      for (const scenarios::TargetedFault& f : example.added) std::printf("    %s\n", scenarios::fault_text(f).c_str());
      std::printf("    %s: %s\n", example.intent.c_str(), example.evidence.c_str());
      const scenarios::Scenario replay = scenarios::with_faults(scenario, example.added, options.keep_script_faults);
      e.world = replay;
      if (scenario.source.empty()) continue;
      const std::string path = o.out + "/" + path_component(scenario.name) + "." + path_component(strategy->name) +
                               "." + path_component(invariant) + ".json";
      write_file_atomically(path, scenarios::script_with_faults(scenario, replay.faults));
      e.finding.replay = "idemlab run " + path + " --strategy " + strategy->name + " --seed " + std::to_string(o.seed);
      std::printf("    replay: %s\n", e.finding.replay.c_str());
      std::printf("    shrink: idemlab shrink %s --strategy %s --seed %llu --invariant %s\n", path.c_str(),
                  strategy->name.c_str(), static_cast<unsigned long long>(o.seed), invariant.c_str());
    }
    if (into != nullptr) {
      plots::ExploreStrategy& summary = into->emplace_back(summary_of(strategy->name, r, elapsed()));
      summary.exhausted = r.exhausted;
      summary.pairs_covered = r.pairs_placed;
      summary.pairs_seen = r.pairs_seen;
      add_findings(summary, examples, *strategy);
    }
  }
  return finish("placements");
}

}  // namespace

void register_explore(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<ExploreCommandOptions>();
  CLI::App* explore = app.add_subcommand(
      "explore", "Search fault placements systematically (breadth first) for the runs that break each strategy");
  explore->add_option("scenario", options->scenario, "A shipped scenario's name, or a script file (.json)")->required();
  explore->add_option("--strategy", options->strategies, "A strategy (repeatable), or all (the default)");
  explore->add_option("--faults", options->faults, "Faults added to one run, at most (0..4)")->capture_default_str();
  explore->add_option("--max-runs", options->max_runs, "Runs per strategy before the search is cut")
      ->capture_default_str();
  explore->add_option("--max-time", options->max_time, "Seconds per strategy before the search is cut (0: no bound)")
      ->capture_default_str();
  add_seed_option(*explore, "--seed", options->seed, "Seed of every run's decision tape (latencies)");
  explore->add_flag("--without-script-faults", options->without_script_faults,
                    "Leave out the script's own faults: search from its world and workload only");
  explore->add_option("--actions", options->actions, "Only these fault actions (comma-separated; default: every one)")
      ->delimiter(',');
  explore->add_flag("--swarm", options->swarm,
                    "Swarm runs: each draws its world's parameters, enabled fault actions and up to --faults faults "
                    "(new (site, action) pairs first); --max-runs runs");
  explore->add_option("--downtime", options->downtime,
                      "How long a placed crash keeps its node down: a duration, or LOW..HIGH to draw it from a range")
      ->capture_default_str();
  explore->add_flag("--schedules", options->schedules,
                    "Search schedules instead of fault placements: the order of events due at one instant and the "
                    "ends of latency ranges, up to --deviations departures from the seed's run (breadth first)");
  explore->add_flag("--hash-states", options->hash_states,
                    "With --schedules: hash the world's state after every choice; a schedule is not extended past a "
                    "state explored before");
  explore->add_flag("--verify-hashes", options->verify_hashes,
                    "With --schedules: hash states, and check that two paths to one state go on alike (the first "
                    "200 merges)");
  explore->add_option("--dot", options->dot,
                      "With --schedules: write the state graph for Graphviz (violating states in red); FILE.STRATEGY "
                      "for several strategies");
  explore->add_option("--deviations", options->deviations, "With --schedules: departures per run, at most (0..4)")
      ->capture_default_str();
  explore->add_option("--pct", options->pct,
                      "With --schedules: PCT runs with this depth (priority change points + 1) instead of the "
                      "enumeration, --max-runs of them");
  explore->add_option("--out", options->out, "Directory for the counterexample scripts")->capture_default_str();
  explore->add_option("--json", options->json,
                      "Also write the results to FILE (for idemlab plot): per strategy the search's growth and each "
                      "invariant's first counterexample with its sequence diagram");
  explore->callback([options, &commands] {
    options->command_line = commands.command_line;
    commands.selected = [options] { return explore_command(*options); };
  });
}

}  // namespace idemlab::cli
