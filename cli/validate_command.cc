// `idemlab validate --real`: every shipped scenario real mode can run, with
// every strategy, on the live servers and in the simulator with the same
// seeds; one line per run (agree, or DISAGREE with the differences), then per
// strategy the runs, the runs with a violation, simulated and real, and the
// agreements. An interleaving of the catalogue agrees intent by intent; a
// failure scenario's run, whose faults are drawn, when the same invariants
// are violated. Scenarios real mode cannot run yet are listed with the reason.
// Exit codes: 0 every run agrees, 1 some disagree, 2 bad input, 3 a server
// does not answer.
//   --runs N        seeds per failure scenario (catalogue interleavings run
//                   once: their faults are targeted, not drawn)
//   --markdown FILE the per-run table, for docs/results.md
//   --follow-schedules  record each simulated run's schedule and make the
//                   live run follow it (the turnstile), so that both take
//                   effect in one order; a script's own schedule is
//                   followed whether or not this is given
//   --calibration FILE  simulate with the live servers' measured latencies
//                   (not a run that replays a recorded schedule: its draws
//                   are the schedule's)
//   --json FILE     every run and the per-strategy tallies, with the
//                   attempt latencies simulated and live (idemlab plot)
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>

#include "cli/calibration_option.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/latency_json.h"
#include "cli/server_options.h"
#include "cli/strategy_choice.h"
#include "realmode/compare.h"
#include "realmode/interrupt.h"
#include "realmode/real_run.h"
#include "scenarios/shipped.h"

namespace idemlab::cli {
namespace {

struct ValidateOptions {
  bool real = false;
  std::vector<std::string> scenarios;
  std::vector<std::string> strategies;
  std::uint64_t runs = 1;
  std::string markdown;
  bool follow = false;
  std::string calibration;
  std::string json;
  std::string command_line;  // what --json records
  ServerFlags servers;
};

struct Tally {
  int runs = 0;
  int simulated_violating = 0;
  int real_violating = 0;
  int agreeing = 0;
  int scheduled = 0;  // runs the live side ran through a turnstile
  int followed = 0;   // of those, the runs that followed the schedule to its end
  std::vector<sim::Duration> simulated_latencies;  // every attempt's, pooled over the runs
  std::vector<sim::Duration> real_latencies;
};

nlohmann::ordered_json side_json(const scenarios::RunReport& report) {
  const std::set<std::string> violated = realmode::violated_invariants(report);
  return {{"violated", std::vector<std::string>(violated.begin(), violated.end())},
          {"charges", report.charges},
          {"attempts", report.attempts},
          {"latency_ns", latency_json(report.latencies)}};
}

std::vector<scenarios::Scenario> chosen_scenarios(const std::vector<std::string>& names) {
  if (names.empty()) return scenarios::shipped_scenarios();
  std::vector<scenarios::Scenario> out;
  for (const std::string& name : names) out.push_back(scenarios::find_scenario(name));
  return out;
}

bool is_failure_scenario(const scenarios::Scenario& s) {
  for (const scenarios::Scenario& f : scenarios::failure_scenarios()) {
    if (f.name == s.name) return true;
  }
  return false;
}

int validate(const ValidateOptions& o) {
  if (!o.real) throw UsageError("validate runs on the live servers: pass --real");
  check_outputs({{"--markdown", o.markdown}, {"--json", o.json}});
  const std::vector<scenarios::Scenario> scenarios = chosen_scenarios(o.scenarios);
  if (!o.calibration.empty()) {  // loaded (and refused) before anything runs
    scenarios::Scenario probe = scenarios.front();
    apply_calibration_file(o.calibration, probe);
  }
  const std::vector<const strategies::StrategyInfo*> strategies = strategies_named(o.strategies);
  const realmode::Servers servers = resolve_servers(o.servers);
  realmode::catch_interrupts();

  std::map<std::string, Tally> tally;  // by strategy
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  nlohmann::ordered_json not_run = nlohmann::ordered_json::array();
  std::ostringstream table;
  table << "| scenario | strategy | seed | simulated | real | agree | live schedule |\n|---|---|---|---|---|---|---|\n";
  int disagreements = 0;
  for (const scenarios::Scenario& scenario : scenarios) {
    if (const std::optional<std::string> refusal = realmode::real_mode_refusal(scenario, servers)) {
      std::printf("%s: not run: %s\n", scenario.name.c_str(), refusal->c_str());
      not_run.push_back({{"scenario", scenario.name}, {"reason", *refusal}});
      continue;
    }
    // A failure scenario's faults are drawn (realmode::agree).
    const bool drawn = is_failure_scenario(scenario);
    const std::uint64_t seeds = drawn ? o.runs : 1;
    for (const strategies::StrategyInfo* strategy : strategies) {
      for (std::uint64_t i = 0; i < seeds; ++i) {
        const std::uint64_t seed = scenario.schedule ? scenario.schedule->seed + i : 1 + i;
        const bool recorded = realmode::follows_schedule(scenario, strategy->name, seed);
        const scenarios::RunMode mode = recorded ? scenarios::RunMode::kReplay
                                        : o.follow ? scenarios::RunMode::kRecord
                                                   : scenarios::RunMode::kSeed;
        scenarios::Scenario modelled = scenario;
        // A recorded schedule holds its own draws: it replays as recorded.
        if (!o.calibration.empty() && mode != scenarios::RunMode::kReplay) {
          apply_calibration_file(o.calibration, modelled);
        }
        const scenarios::RunReport simulated = scenarios::run_once(modelled, *strategy, seed, sim::TraceLevel::kHash, mode);
        scenarios::Scenario live = scenario;
        if (mode == scenarios::RunMode::kRecord) live.schedule = simulated.schedule;
        const scenarios::RunReport real = realmode::run_real(live, *strategy, seed, servers, &simulated);
        const bool scheduled = mode != scenarios::RunMode::kSeed;
        const std::vector<std::string> diff = realmode::differences(simulated, real);
        const std::set<std::string> sim_violated = realmode::violated_invariants(simulated);
        const std::set<std::string> real_violated = realmode::violated_invariants(real);
        const bool agree = realmode::agree(simulated, real, drawn);
        Tally& t = tally[strategy->name];
        ++t.runs;
        t.simulated_violating += sim_violated.empty() ? 0 : 1;
        t.real_violating += real_violated.empty() ? 0 : 1;
        t.agreeing += agree ? 1 : 0;
        t.scheduled += scheduled ? 1 : 0;
        t.followed += scheduled && real.schedule_divergence.empty() ? 1 : 0;
        t.simulated_latencies.insert(t.simulated_latencies.end(), simulated.latencies.begin(), simulated.latencies.end());
        t.real_latencies.insert(t.real_latencies.end(), real.latencies.begin(), real.latencies.end());
        disagreements += agree ? 0 : 1;
        std::printf("%s %s seed %llu: %s (simulated: %s; real: %s)\n", scenario.name.c_str(), strategy->name.c_str(),
                    static_cast<unsigned long long>(seed), agree ? "agree" : "DISAGREE",
                    realmode::invariants_text(sim_violated).c_str(), realmode::invariants_text(real_violated).c_str());
        std::string live_schedule;  // for the table: empty when the run had none
        if (scheduled) {
          live_schedule = real.schedule_divergence.empty() ? "followed" : "left at ";
          live_schedule += real.schedule_divergence;
          std::string said = real.schedule_divergence.empty() ? "followed the schedule" : "left the schedule at ";
          said += real.schedule_divergence;
          std::printf("  live run: %s (%zu operations held to its end)\n", said.c_str(), real.schedule_held_to_end);
        }
        if (drawn && !diff.empty()) {
          std::printf("  (%zu per-intent differences: the faults were drawn otherwise)\n", diff.size());
        } else {
          for (const std::string& d : diff) std::printf("  %s\n", d.c_str());
        }
        std::fflush(stdout);
        runs.push_back({{"scenario", scenario.name},
                        {"strategy", strategy->name},
                        {"seed", seed},
                        {"drawn", drawn},
                        {"agree", agree},
                        {"differences", diff.size()},
                        {"live_schedule", live_schedule},
                        {"simulated", side_json(simulated)},
                        {"real", side_json(real)}});
        table << "| " << scenario.name << " | " << strategy->name << " | " << seed << " | "
              << realmode::invariants_text(sim_violated) << " | " << realmode::invariants_text(real_violated) << " | "
              << (agree ? "yes" : "**no**") << " | "
              << live_schedule << " |\n";
      }
    }
  }
  std::printf("\n%-32s %6s %18s %14s %8s %10s\n", "strategy", "runs", "violating (sim)", "(real)", "agree",
              "scheduled");
  for (const strategies::StrategyInfo* strategy : strategies) {
    const Tally& t = tally[strategy->name];
    const std::string scheduled = std::to_string(t.followed) + "/" + std::to_string(t.scheduled);
    std::printf("%-32s %6d %18d %14d %8d %10s\n", strategy->name.c_str(), t.runs, t.simulated_violating,
                t.real_violating, t.agreeing, scheduled.c_str());
  }
  if (!o.markdown.empty()) write_file_atomically(o.markdown, table.str());
  if (!o.json.empty()) {
    nlohmann::ordered_json per_strategy = nlohmann::ordered_json::array();
    for (const strategies::StrategyInfo* strategy : strategies) {
      const Tally& t = tally[strategy->name];
      per_strategy.push_back({{"strategy", strategy->name},
                              {"runs", t.runs},
                              {"agreeing", t.agreeing},
                              {"simulated_violating", t.simulated_violating},
                              {"real_violating", t.real_violating},
                              {"simulated_latency_ns", latency_json(t.simulated_latencies)},
                              {"real_latency_ns", latency_json(t.real_latencies)}});
    }
    const nlohmann::ordered_json file = {{"format", "idemlab-validate/1"},
                                         {"version", kVersion},
                                         {"command", o.command_line},
                                         {"calibration", o.calibration},
                                         {"seeds_per_failure_scenario", o.runs},
                                         {"strategies", std::move(per_strategy)},
                                         {"runs", std::move(runs)},
                                         {"not_run", std::move(not_run)}};
    write_file_atomically(o.json, file.dump(1) + "\n");
  }
  if (disagreements == 0) {
    std::printf("every run agrees\n");
  } else {
    std::printf("%d runs DISAGREE\n", disagreements);
  }
  return disagreements == 0 ? 0 : 1;
}

}  // namespace

void register_validate(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Run the shipped scenarios on live Redis, PostgreSQL and RabbitMQ and compare with the simulation");
  cmd->add_flag("--real", options->real, "On the live servers (required)");
  cmd->add_option("--scenario", options->scenarios, "Only these scenarios: shipped names or script files (repeatable)");
  cmd->add_option("--strategy", options->strategies, "Only these strategies (repeatable)");
  cmd->add_option("--runs", options->runs, "Seeds per failure scenario")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--markdown", options->markdown, "Also write the per-run table to FILE");
  cmd->add_flag("--follow-schedules", options->follow,
                "Record each simulated run's schedule and make the live run follow it, step by step");
  cmd->add_option("--calibration", options->calibration,
                  "Simulate with this calibration file (idemlab calibrate --real): the live servers' latencies");
  cmd->add_option("--json", options->json, "Also write every run and the per-strategy tallies to FILE (for idemlab plot)");
  add_server_options(*cmd, options->servers);
  cmd->callback([options, &commands] {
    options->command_line = commands.command_line;
    commands.selected = [options] { return validate(*options); };
  });
}

}  // namespace idemlab::cli
