// `idemlab run SCENARIO --strategy NAME --seed N`: one deterministic run;
// prints the timeline, the outcome and the invariants violated. Exit code 1
// when an invariant is violated.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/files.h"
#include "scenarios/shipped.h"
#include "scenarios/scenario.h"
#include "sim/trace.h"

namespace idemlab::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string strategy;
  std::uint64_t seed = 1;
  std::string trace;
  bool quiet = false;
};

int run_one(const RunOptions& o) {
  const strategies::StrategyInfo* strategy = strategies::find_strategy(o.strategy);
  if (strategy == nullptr) throw UsageError("--strategy: unknown strategy '" + o.strategy + "'");
  {
    const scenarios::Scenario scenario = scenarios::find_scenario(o.scenario);
    const scenarios::RunReport r = scenarios::run_once(scenario, *strategy, o.seed, sim::TraceLevel::kFull);
    if (!o.quiet) std::fputs(r.timeline.c_str(), stdout);
    std::printf("\nscenario %s, strategy %s, seed %llu: %s at %s after %llu events; %llu charges, %llu attempts\n",
                r.scenario.c_str(), r.strategy.c_str(), static_cast<unsigned long long>(r.seed),
                r.converged ? "converged" : "did not converge", sim::format_time(r.run.now).c_str(),
                static_cast<unsigned long long>(r.run.events), static_cast<unsigned long long>(r.charges),
                static_cast<unsigned long long>(r.attempts));
    for (const std::string& fault : r.faults_taken) std::printf("fault taken: %s\n", fault.c_str());
    for (const checks::Violation& v : r.violations) {
      std::printf("VIOLATED %s: %s: %s\n", v.invariant.c_str(), v.intent.c_str(), v.evidence.c_str());
    }
    if (r.violations.empty()) std::printf("no invariant violated\n");
    std::printf("trace hash %s\n", sim::hash_hex(r.trace_hash).c_str());
    if (!o.trace.empty()) write_file_atomically(o.trace, r.json_lines);
    return r.violations.empty() ? 0 : 1;
  }
}

}  // namespace

void register_run(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* run = app.add_subcommand("run", "One deterministic run of a scenario with a strategy; prints the timeline and the invariants violated");
  run->add_option("scenario", options->scenario, "A shipped scenario's name, or a script file (.json)")->required();
  run->add_option("--strategy", options->strategy, "The strategy")->required();
  run->add_option("--seed", options->seed, "Seed of the decision tape")->capture_default_str();
  run->add_option("--trace", options->trace, "Write the trace as JSON lines to FILE");
  run->add_flag("-q,--quiet", options->quiet, "Print the outcome only, not the timeline");
  run->callback([options, &commands] { commands.selected = [options] { return run_one(*options); }; });
}

}  // namespace idemlab::cli
