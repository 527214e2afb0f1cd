// `idemlab replay SCENARIO --strategy NAME --real`: runs the scenario on the
// live servers and in the simulator with the same seed and faults, prints
// both outcomes side by side (charges and answers per intent, invariants
// violated) and says whether they agree. Exit codes: 0 agree, 1 disagree,
// 2 bad input (or a scenario real mode cannot run yet), 3 a server does not
// answer (named by its URL, without the password).
//   --redis URL --pg URL --amqp URL   (cli/server_options.h)
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "cli/server_options.h"
#include "realmode/compare.h"
#include "realmode/interrupt.h"
#include "realmode/real_run.h"
#include "scenarios/run_loop.h"
#include "scenarios/shipped.h"

namespace idemlab::cli {
namespace {

struct ReplayOptions {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 1;
  bool real = false;
  bool timeline = false;
  ServerFlags servers;
};

// "409 x66, 201": runs of one status counted.
std::string answers_text(const checks::IntentOutcome& o) {
  std::string out;
  for (std::size_t i = 0; i < o.answers.size();) {
    std::size_t j = i;
    while (j < o.answers.size() && o.answers[j] == o.answers[i]) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(o.answers[i]);
    if (j - i > 1) {
      out += " x";
      out += std::to_string(j - i);
    }
    i = j;
  }
  return out.empty() ? "none" : out;
}

void print_side(const char* label, const scenarios::RunReport& r) {
  std::printf("%s: %s at %s, %llu charges, %llu attempts\n", label, scenarios::ending_text(r).c_str(),
              sim::format_time(r.run.now).c_str(), static_cast<unsigned long long>(r.charges),
              static_cast<unsigned long long>(r.attempts));
  for (const checks::IntentOutcome& o : r.outcomes) {
    std::printf("  %s: charged %lld, answers %s%s\n", o.intent.c_str(), static_cast<long long>(o.charges),
                answers_text(o).c_str(), o.declined ? " (declined)" : "");
  }
  for (const std::string& f : r.faults_taken) std::printf("  fault taken: %s\n", f.c_str());
  for (const std::string& f : r.faults_not_taken) std::printf("  fault %s\n", f.c_str());
  for (const checks::Violation& v : r.violations) {
    std::printf("  VIOLATED %s: %s: %s\n", v.invariant.c_str(), v.intent.c_str(), v.evidence.c_str());
  }
  if (r.violations.empty()) std::printf("  no invariant violated\n");
}

std::string followed_text(const scenarios::RunReport& r) {
  if (r.schedule_divergence.empty()) return "followed it";
  std::string text = "LEFT it at ";
  text += r.schedule_divergence;
  return text;
}

int replay(const ReplayOptions& o, bool seed_given) {
  if (!o.real) throw UsageError("replay runs on the live servers: pass --real (idemlab run replays in simulation)");
  const strategies::StrategyInfo* strategy = &strategy_named(o.strategy);
  const scenarios::Scenario scenario = scenarios::find_scenario(o.scenario);
  const realmode::Servers servers = resolve_servers(o.servers);
  realmode::catch_interrupts();
  if (const std::optional<std::string> refusal = realmode::real_mode_refusal(scenario, servers)) {
    throw UsageError(o.scenario + ": " + *refusal);
  }
  const std::uint64_t seed = seed_for(o.scenario, scenario, *strategy, o.seed, seed_given);
  const bool scheduled = realmode::follows_schedule(scenario, strategy->name, seed);
  std::printf("scenario %s, strategy %s, seed %llu\n", scenario.name.c_str(), strategy->name.c_str(),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  const scenarios::RunReport simulated = scenarios::run_once(
      scenario, *strategy, seed, sim::TraceLevel::kHash, scheduled ? scenarios::RunMode::kReplay : scenarios::RunMode::kSeed);
  const scenarios::RunReport real = realmode::run_real(scenario, *strategy, seed, servers, &simulated);
  if (o.timeline) std::fputs(real.timeline.c_str(), stdout);
  print_side("simulated", simulated);
  print_side("real", real);
  if (scheduled) {
    std::printf(
        "schedule: %zu steps; simulated %s; live %s, %zu let past while blocked on a lock, %zu held to its end\n",
        scenario.schedule->steps.size(), followed_text(simulated).c_str(), followed_text(real).c_str(),
        real.schedule_steps_blocked, real.schedule_held_to_end);
  }
  const std::vector<std::string> diff = realmode::differences(simulated, real);
  if (diff.empty()) {
    std::printf("agree\n");
    return 0;
  }
  std::printf("DISAGREE\n");
  for (const std::string& d : diff) std::printf("  %s\n", d.c_str());
  return 1;
}

}  // namespace

void register_replay(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Run a scenario on live Redis, PostgreSQL and RabbitMQ and compare with the simulation");
  cmd->add_option("scenario", options->scenario, "A shipped scenario's name, or a script file (.json)")->required();
  cmd->add_option("--strategy", options->strategy, "The strategy")->required();
  cmd->add_flag("--real", options->real, "On the live servers (required: the simulation alone is `idemlab run`)");
  CLI::Option* seed = add_seed_option(*cmd, "--seed", options->seed, "Seed of the decision tape");
  cmd->add_flag("--timeline", options->timeline, "Also print the real run's timeline");
  add_server_options(*cmd, options->servers);
  cmd->callback([options, seed, &commands] {
    const bool seed_given = seed->count() > 0;
    commands.selected = [options, seed_given] { return replay(*options, seed_given); };
  });
}

}  // namespace idemlab::cli
