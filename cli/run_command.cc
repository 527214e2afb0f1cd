// `idemlab run SCENARIO --strategy NAME --seed N`: one deterministic run;
// prints the timeline, the outcome and the invariants violated. Exit code 1
// when an invariant is violated (or a recorded schedule was not followed).
//   --trace FILE     the trace as JSON lines
//   --mermaid FILE   the interleaving as a Mermaid sequence diagram
//   --record FILE    the scenario with this run's explicit schedule, which
//                    `idemlab run FILE` replays to the same outcome
#include <cstdio>
#include <memory>

#include "checks/latency.h"
#include "cli/calibration_option.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "scenarios/run_loop.h"
#include "scenarios/schedule.h"
#include "scenarios/shipped.h"
#include "scenarios/sequence.h"
#include "sim/trace.h"

namespace idemlab::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 1;
  std::string trace;
  std::string mermaid;
  std::string record;
  std::string calibration;
  bool quiet = false;
};

int run_one(const RunOptions& o, bool seed_given) {
  check_outputs({{"--trace", o.trace}, {"--mermaid", o.mermaid}, {"--record", o.record}});
  const strategies::StrategyInfo* strategy = &strategy_named(o.strategy);
  scenarios::Scenario scenario = scenarios::find_scenario(o.scenario);
  if (!o.calibration.empty()) apply_calibration_file(o.calibration, scenario);
  scenarios::RunMode mode = o.record.empty() ? scenarios::RunMode::kSeed : scenarios::RunMode::kRecord;
  const std::uint64_t seed = seed_for(o.scenario, scenario, *strategy, o.seed, seed_given);
  if (scenario.schedule && !seed_given) mode = scenarios::RunMode::kReplay;
  if (mode == scenarios::RunMode::kReplay && !o.record.empty()) {
    throw UsageError("--record: this script replays a recorded schedule; pass --seed to record a new one");
  }
  const scenarios::RunReport r = scenarios::run_once(scenario, *strategy, seed, sim::TraceLevel::kFull, mode);
  if (!o.quiet) std::fputs(r.timeline.c_str(), stdout);
  std::printf("\nscenario %s, strategy %s, seed %llu: %s at %s after %llu events; %llu charges, %llu attempts\n",
              r.scenario.c_str(), r.strategy.c_str(), static_cast<unsigned long long>(r.seed),
              scenarios::ending_text(r).c_str(), sim::format_time(r.run.now).c_str(),
              static_cast<unsigned long long>(r.run.events), static_cast<unsigned long long>(r.charges),
              static_cast<unsigned long long>(r.attempts));
  std::printf("attempt latency p50 %s, p99 %s\n", sim::format_time(checks::percentile(r.latencies, 0.5)).c_str(),
              sim::format_time(checks::percentile(r.latencies, 0.99)).c_str());
  for (const std::string& fault : r.faults_taken) std::printf("fault taken: %s\n", fault.c_str());
  for (const std::string& fault : r.faults_not_taken) std::printf("fault %s\n", fault.c_str());
  for (const checks::Violation& v : r.violations) {
    std::printf("VIOLATED %s: %s: %s\n", v.invariant.c_str(), v.intent.c_str(), v.evidence.c_str());
  }
  if (r.violations.empty() && r.outcome == scenarios::RunOutcome::kJudged) std::printf("no invariant violated\n");
  if (r.violations.empty() && r.outcome == scenarios::RunOutcome::kDidNotConverge) {
    std::printf("no safety invariant violated (liveness not judged: the run did not converge)\n");
  }
  std::printf("trace hash %s\n", sim::hash_hex(r.trace_hash).c_str());
  if (mode == scenarios::RunMode::kReplay) {
    if (r.schedule_divergence.empty()) {
      std::printf("schedule followed: %zu steps in the recorded order, %zu draws\n", scenario.schedule->steps.size(),
                  scenario.schedule->tape.size());
    } else {
      std::printf("SCHEDULE NOT FOLLOWED: %s\n", r.schedule_divergence.c_str());
    }
  }
  if (!o.trace.empty()) write_file_atomically(o.trace, r.json_lines);
  if (!o.mermaid.empty()) write_file_atomically(o.mermaid, scenarios::mermaid_sequence(r.trace));
  if (!o.record.empty()) {
    write_file_atomically(o.record, scenarios::script_with_schedule(scenario, r.schedule));
    std::printf("recorded %zu steps and %zu draws in %s\n", r.schedule.steps.size(), r.schedule.tape.size(),
                o.record.c_str());
  }
  if (!r.violations.empty() || !r.schedule_divergence.empty()) return 1;
  return r.outcome == scenarios::RunOutcome::kJudged ? 0 : kExitNoVerdict;
}

}  // namespace

void register_run(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand(
      "run", "One deterministic run of a scenario with a strategy; prints the timeline and the invariants violated");
  run->add_option("scenario", options->scenario, "A shipped scenario's name, or a script file (.json)")->required();
  run->add_option("--strategy", options->strategy, "The strategy")->required();
  CLI::Option* seed = add_seed_option(*run, "--seed", options->seed,
                                      "Seed of the decision tape (a script with a recorded schedule replays it unless "
                                      "a seed is given)");
  run->add_option("--trace", options->trace, "Write the trace as JSON lines to FILE");
  run->add_option("--mermaid", options->mermaid, "Write the interleaving as a Mermaid sequence diagram to FILE");
  run->add_option("--record", options->record,
                  "Write the scenario with this run's schedule (steps, faults, tape) to FILE, for replay");
  run->add_option("--calibration", options->calibration,
                  "Latencies from `idemlab calibrate --real` instead of the scenario's backend latencies");
  run->add_flag("-q,--quiet", options->quiet, "Print the outcome only, not the timeline");
  run->callback([options, seed, &commands] {
    const bool seed_given = seed->count() > 0;
    commands.selected = [options, seed_given] { return run_one(*options, seed_given); };
  });
}

}  // namespace idemlab::cli
