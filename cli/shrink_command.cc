// `idemlab shrink SCENARIO --strategy NAME --seed N`: the smallest script
// whose run from the seed still breaks the invariant (scenarios/shrink.h),
// written with its schedule for `idemlab run` and `idemlab replay --real`.
// Exit code 2 when the run breaks no invariant (or not the one named).
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "scenarios/shipped.h"
#include "scenarios/shrink.h"

namespace idemlab::cli {
namespace {

struct ShrinkCommandOptions {
  std::string scenario;
  std::string strategy;
  std::string invariant;
  std::uint64_t seed = 1;
  std::string output;
  double max_time = 60;
};

std::string sizes(const scenarios::ScriptSize& before, const scenarios::ScriptSize& after) {
  auto one = [](const char* what, std::uint64_t from, std::uint64_t to) {
    return std::string(what) + " " + std::to_string(from) + (from == to ? "" : " -> " + std::to_string(to));
  };
  return one("faults", before.faults, after.faults) + ", " + one("clients", before.clients, after.clients) + ", " +
         one("intents", before.intents, after.intents) + ", " + one("attempts", before.attempts, after.attempts) +
         ", " + one("random latencies", before.random_latencies, after.random_latencies);
}

int shrink_command(const ShrinkCommandOptions& o) {
  if (!(o.max_time > 0)) throw UsageError("--max-time: must be a positive number of seconds");
  const strategies::StrategyInfo& strategy = strategy_named(o.strategy);
  const scenarios::Scenario scenario = scenarios::find_scenario(o.scenario);
  if (scenario.source.empty()) throw UsageError(o.scenario + ": no script text to shrink");
  const std::string output = !o.output.empty() ? o.output
                                               : "out/shrunk/" + path_component(scenario.name) + "." +
                                                     path_component(strategy.name) + ".json";
  if (o.output.empty()) make_directories("-o", "out/shrunk");
  check_output("-o", output);

  scenarios::ShrinkOptions options;
  options.invariant = o.invariant;
  options.seed = o.seed;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  options.out_of_time = [&elapsed, &o] { return elapsed() >= o.max_time; };
  const scenarios::ShrinkResult r = scenarios::shrink(scenario, strategy, options);
  const std::string run = scenario.name + " with " + strategy.name + ", seed " + std::to_string(o.seed);
  if (!r.reproduced) {
    throw UsageError(run + (o.invariant.empty() ? " violates no invariant" : " does not violate " + o.invariant) +
                     ": nothing to shrink");
  }
  write_file_atomically(output, r.script);
  std::printf("shrink %s: %s\n  %s (%llu runs, %.1f s%s)\n", run.c_str(), r.invariant.c_str(),
              sizes(r.before, r.after).c_str(), static_cast<unsigned long long>(r.runs), elapsed(),
              r.cut ? ", cut by --max-time" : "");
  for (const std::string& fault : r.shrunk_run.faults_taken) std::printf("  fault taken: %s\n", fault.c_str());
  std::printf("  wrote %s, with its schedule (%zu steps, %zu draws)%s\n", output.c_str(),
              r.shrunk_run.schedule.steps.size(), r.shrunk_run.schedule.tape.size(),
              r.replays ? "" : "; REPLAYING IT DOES NOT BREAK THE INVARIANT");
  std::printf("  replay: idemlab run %s --strategy %s\n", output.c_str(), strategy.name.c_str());
  return r.replays ? 0 : 1;
}

}  // namespace

void register_shrink(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<ShrinkCommandOptions>();
  CLI::App* shrink = app.add_subcommand(
      "shrink", "Shrink a failing run to the smallest script that still breaks the invariant, with its schedule");
  shrink->add_option("scenario", options->scenario, "A shipped scenario's name, or a script file (.json)")->required();
  shrink->add_option("--strategy", options->strategy, "The strategy")->required();
  add_seed_option(*shrink, "--seed", options->seed, "Seed of the failing run");
  shrink->add_option("--invariant", options->invariant, "The invariant to keep broken (default: the first violated)");
  shrink->add_option("-o,--output", options->output, "Where to write the shrunk script (default out/shrunk/...)");
  shrink->add_option("--max-time", options->max_time, "Seconds before it stops with what it has")->capture_default_str();
  shrink->callback([options, &commands] { commands.selected = [options] { return shrink_command(*options); }; });
}

}  // namespace idemlab::cli
