// bench/shrink: how long `idemlab shrink` takes on every counterexample of
// the shipped scripts: each failure scenario and catalogue script, each
// strategy it expects to break, each invariant it expects broken, the run of
// the first seed that breaks it (from a sweep of up to --seeds seeds).
// Reports every shrink's time and size, the slowest, and how many took 10 s
// or more (the target: none).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "scenarios/expectations.h"
#include "scenarios/shipped.h"
#include "scenarios/shrink.h"
#include "scenarios/sweep.h"

namespace {

using namespace idemlab;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/shrink: the time to shrink each shipped counterexample"};
  std::uint64_t seeds = 200;
  double bound = 60;
  app.add_option("--seeds", seeds, "Seeds swept to find each violation's first seed")->capture_default_str();
  app.add_option("--max-time", bound, "Each shrink's time bound, as idemlab shrink --max-time")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::vector<scenarios::Scenario> scripts = scenarios::failure_scenarios();
  for (const scenarios::Scenario& s : scenarios::catalogue_scenarios()) scripts.push_back(s);
  std::vector<double> times;
  double slowest = 0;
  std::string slowest_case;
  int over_ten = 0, not_found = 0;
  for (const scenarios::Scenario& script : scripts) {
    for (const strategies::StrategyInfo& info : strategies::all_strategies()) {
      const std::set<std::string> invariants = scenarios::expected_breaks(script, info).value_or(std::set<std::string>{});
      if (invariants.empty()) continue;
      const strategies::StrategyInfo* strategy = &info;
      const scenarios::SweepResult swept = scenarios::sweep(script, *strategy, 1, seeds, &invariants);
      for (const std::string& invariant : invariants) {
        const auto found = swept.violated.find(invariant);
        if (found == swept.violated.end()) {
          ++not_found;
          continue;
        }
        scenarios::ShrinkOptions options;
        options.invariant = invariant;
        options.seed = found->second.example_seed;
        const auto start = std::chrono::steady_clock::now();
        options.out_of_time = [start, bound] { return seconds_since(start) >= bound; };
        const scenarios::ShrinkResult r = scenarios::shrink(script, *strategy, options);
        const double seconds = seconds_since(start);
        times.push_back(seconds);
        over_ten += seconds >= 10;
        const std::string name = script.name + "/" + info.name + "/" + invariant;
        if (seconds > slowest) {
          slowest = seconds;
          slowest_case = name;
        }
        std::printf("{\"bench\":\"shrink\",\"case\":\"%s\",\"seed\":%llu,\"seconds\":%.3f,\"runs\":%llu,"
                    "\"faults\":[%zu,%zu],\"clients\":[%d,%d],\"intents\":[%d,%d],\"attempts\":[%d,%d],"
                    "\"replays\":%s,\"cut\":%s}\n",
                    name.c_str(), static_cast<unsigned long long>(options.seed), seconds,
                    static_cast<unsigned long long>(r.runs), r.before.faults, r.after.faults, r.before.clients,
                    r.after.clients, r.before.intents, r.after.intents, r.before.attempts, r.after.attempts,
                    r.replays ? "true" : "false", r.cut ? "true" : "false");
        std::fflush(stdout);
      }
    }
  }
  std::sort(times.begin(), times.end());
  const double median = times.empty() ? 0 : times[times.size() / 2];
  std::printf("{\"bench\":\"shrink\",\"metric\":\"summary\",\"counterexamples\":%zu,\"median_s\":%.3f,"
              "\"slowest_s\":%.3f,\"slowest\":\"%s\",\"ten_seconds_or_more\":%d,\"not_found_in_seeds\":%d}\n",
              times.size(), median, slowest, slowest_case.c_str(), over_ten, not_found);
  return 0;
}
