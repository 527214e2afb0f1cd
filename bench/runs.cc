// bench/runs: what a full world costs, against a bare heap loop measured in
// the same run, and seeded runs at scale.
//
//   bare heap      the hold model on a bare std::priority_queue with 1,000
//                  pending events: the floor of any event loop
//   full world     idemlab's run_once of a shipped scenario with a strategy,
//                  every model, the fault plan and the checker included,
//                  seed after seed: events per second, runs per second,
//                  simulated seconds per wall second (time compression)
//   at scale       parallel_sweep of --runs seeds on 1 and on 2 threads:
//                  seconds, the speed-up, and the peak resident set
//
// One JSON line per figure ({"bench":"runs","metric":...}), as bench/kernel.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "bench/bare_heap.h"
#include "scenarios/scenario.h"
#include "scenarios/shipped.h"
#include "scenarios/sweep.h"

namespace {

using namespace idemlab;

void emit(const std::string& metric, double value, const char* unit) {
  std::printf("{\"bench\":\"runs\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n", metric.c_str(), value, unit);
  std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct WorldFigures {
  double events_per_s = 0;
  double runs_per_s = 0;
  double events_per_run = 0;
  double compression = 0;  // simulated seconds per wall second
};

WorldFigures full_world(const scenarios::Scenario& scenario, const strategies::StrategyInfo& strategy,
                        std::uint64_t runs) {
  std::uint64_t events = 0;
  double simulated = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = 1; seed <= runs; ++seed) {
    const scenarios::RunReport r = scenarios::run_once(scenario, strategy, seed, sim::TraceLevel::kOff);
    events += r.run.events;
    simulated += static_cast<double>(r.run.now) / static_cast<double>(sim::kSecond);
  }
  const double seconds = seconds_since(start);
  return WorldFigures{static_cast<double>(events) / seconds, static_cast<double>(runs) / seconds,
                      static_cast<double>(events) / static_cast<double>(runs), simulated / seconds};
}

double sweep_seconds(const scenarios::Scenario& scenario, const strategies::StrategyInfo& strategy,
                     std::uint64_t runs, unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  const scenarios::SweepResult r = scenarios::parallel_sweep(scenario, strategy, 1, runs, threads);
  const double seconds = seconds_since(start);
  if (r.runs != runs) std::abort();
  return seconds;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/runs: a full world against a bare heap loop, and seeded runs at scale"};
  std::string strategy_name = "idempotency_key";
  std::vector<std::string> scenario_names = {"crash_after_charge_before_commit", "client_retry_after_lost_response"};
  std::uint64_t world_runs = 2000;
  std::uint64_t sweep_runs = 20000;
  std::uint64_t heap_events = 20'000'000;
  unsigned repeat = 3;
  app.add_option("--strategy", strategy_name, "The strategy of every run")->capture_default_str();
  app.add_option("--scenario", scenario_names, "Scenarios of the full-world figures (repeatable)");
  app.add_option("--world-runs", world_runs, "Seeded runs per full-world figure")->capture_default_str();
  app.add_option("--sweep-runs", sweep_runs, "Seeds of the scale figures (crash_after_charge_before_commit)")
      ->capture_default_str();
  app.add_option("--heap-events", heap_events, "Events of the bare heap loop")->capture_default_str();
  app.add_option("--repeat", repeat, "Each timed figure is the best of this many runs of it")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  repeat = std::max(repeat, 1u);
  const strategies::StrategyInfo* strategy = strategies::find_strategy(strategy_name);
  if (strategy == nullptr) {
    std::fprintf(stderr, "bench/runs: unknown strategy %s\n", strategy_name.c_str());
    return 2;
  }

  double bare = 0;
  for (unsigned r = 0; r < repeat; ++r) bare = std::max(bare, bench::bare_heap_events_per_s(heap_events, 1000, 1000));
  emit("bare_heap_events_per_s", bare, "events/s");
  // What two threads give on this machine for a loop that shares nothing:
  // the ceiling of the sweep's speed-up below.
  {
    const auto start = std::chrono::steady_clock::now();
    std::thread other([&] { bench::bare_heap_events_per_s(heap_events, 1000, 1000); });
    bench::bare_heap_events_per_s(heap_events, 1000, 1000);
    other.join();
    emit("bare_heap_2_threads_speedup", 2.0 * static_cast<double>(heap_events) / seconds_since(start) / bare, "ratio");
  }
  for (const std::string& name : scenario_names) {
    const scenarios::Scenario scenario = scenarios::find_scenario(name);
    WorldFigures w;
    for (unsigned r = 0; r < repeat; ++r) {
      const WorldFigures once = full_world(scenario, *strategy, world_runs);
      if (once.events_per_s > w.events_per_s) w = once;
    }
    emit(name + ".world_events_per_s", w.events_per_s, "events/s");
    emit(name + ".world_vs_bare_heap_ratio", w.events_per_s / bare, "ratio");
    emit(name + ".events_per_run", w.events_per_run, "events");
    emit(name + ".ms_per_run", 1000.0 / w.runs_per_s, "ms");
    emit(name + ".time_compression", w.compression, "simulated s per wall s");
  }

  const scenarios::Scenario crash = scenarios::find_scenario("crash_after_charge_before_commit");
  double one = 1e300;
  double two = 1e300;
  for (unsigned r = 0; r < repeat; ++r) {
    one = std::min(one, sweep_seconds(crash, *strategy, sweep_runs, 1));
    two = std::min(two, sweep_seconds(crash, *strategy, sweep_runs, 2));
  }
  emit("sweep_1_thread_s", one, "s");
  emit("sweep_2_threads_s", two, "s");
  emit("sweep_2_threads_speedup", one / two, "ratio");
  emit("sweep_million_runs_2_threads_s_extrapolated", two * 1e6 / static_cast<double>(sweep_runs), "s");
  emit("peak_rss_mb", peak_rss_mb(), "MB");
  return 0;
}
