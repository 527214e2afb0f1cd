// `idemlab load SCENARIO --param NAME=V1,V2 ...`: a load script at every
// point of a parameter grid, per strategy, over seeds; prints per point the
// success rate, goodput, latency percentiles, retry amplification, what was
// shed, the invariants violated and, after a trigger, the recovery; writes
// it all (with goodput over time) as JSON for plots. Deterministic for a
// seed whatever --jobs: the runs are independent and merged in order.
#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/calibration_option.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/load_table.h"
#include "cli/progress.h"
#include "cli/seed_option.h"
#include "cli/strategy_choice.h"
#include "realmode/interrupt.h"
#include "scenarios/load.h"
#include "scenarios/shipped.h"

namespace idemlab::cli {
namespace {

struct LoadOptions {
  std::string scenario;
  std::vector<std::string> strategies;
  std::vector<std::string> params;
  std::uint64_t seeds = 1;
  std::uint64_t first_seed = 1;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string bucket = "1s";
  std::string pivot;
  std::string metrics = "success,goodput";
  std::string calibration;
  std::string markdown;
  std::string csv;
  std::string json;
};

// The seven strategies, without the textbook variants, unless named.
std::vector<const strategies::StrategyInfo*> chosen_strategies(const std::vector<std::string>& names) {
  if (names.size() == 1 && names.front() == "all") return strategies_named({});
  if (!names.empty()) return strategies_named(names);
  std::vector<const strategies::StrategyInfo*> out;
  for (const strategies::StrategyInfo& info : strategies::all_strategies()) {
    if (!info.textbook) out.push_back(&info);
  }
  return out;
}

int run_load(const LoadOptions& o) {
  check_seed_range(o.first_seed, o.seeds, "--first-seed", "--seeds");
  check_outputs({{"--markdown", o.markdown}, {"--csv", o.csv}, {"--json", o.json}});
  const std::optional<sim::Duration> bucket = sim::parse_duration(o.bucket);
  if (!bucket || *bucket < sim::kMillisecond || *bucket > 3600 * sim::kSecond) {
    throw UsageError("--bucket: " + sim::shown(o.bucket, 30) + " is not a duration from 1ms to 1h");
  }
  scenarios::Scenario base = scenarios::find_scenario(o.scenario);
  if (!o.calibration.empty()) apply_calibration_file(o.calibration, base);
  const std::vector<const strategies::StrategyInfo*> strategies = chosen_strategies(o.strategies);
  std::vector<scenarios::LoadParameter> parameters;
  std::vector<scenarios::LoadPoint> grid;
  std::vector<scenarios::Scenario> worlds;  // one per point
  try {
    for (const std::string& p : o.params) parameters.push_back(scenarios::parse_load_parameter(p));
    grid = scenarios::load_grid(parameters);
    for (const scenarios::LoadPoint& point : grid) worlds.push_back(scenarios::at_point(base, point));
  } catch (const scenarios::LoadError& e) {
    throw UsageError(e.what());
  }
  const LoadTableShape shape = table_shape(parameters, o.pivot, o.metrics);

  // One task per strategy, point and seed, in that order; each thread
  // takes the next and keeps only the compact result of its run.
  struct Task {
    std::size_t strategy, point;
    std::uint64_t seed;
  };
  std::vector<Task> tasks;
  for (std::size_t s = 0; s < strategies.size(); ++s) {
    for (std::size_t p = 0; p < grid.size(); ++p) {
      for (std::uint64_t i = 0; i < o.seeds; ++i) tasks.push_back({s, p, o.first_seed + i});
    }
  }
  std::vector<scenarios::LoadResult> per_task(tasks.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  std::mutex failure_mutex;
  std::exception_ptr failure;
  Progress progress("load", tasks.size());
  realmode::catch_interrupts();
  const auto work = [&] {
    for (;;) {
      const std::size_t i = next++;
      if (i >= tasks.size() || realmode::interrupt_requested()) return;
      const Task& t = tasks[i];
      const scenarios::Scenario& world = worlds[t.point];
      scenarios::LoadResult& r = per_task[i];
      r.bucket = *bucket;
      r.strategy = strategies[t.strategy]->name;
      r.point = grid[t.point];
      try {
        const scenarios::RunReport report =
            scenarios::run_once(world, *strategies[t.strategy], t.seed, sim::TraceLevel::kOff);
        scenarios::add_run(r, world, report);
      } catch (...) {
        // Out of memory, say: stop, and report it from the main thread.
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = tasks.size();
        return;
      }
      const std::size_t finished = ++done;
      const std::lock_guard<std::mutex> lock(progress_mutex);
      progress.update(finished, r.strategy + " " + scenarios::point_label(r.point));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::min<std::size_t>(o.jobs, tasks.size()); ++j) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  progress.finish();
  if (failure) std::rethrow_exception(failure);
  if (realmode::interrupt_requested()) {
    std::fprintf(stderr, "idemlab: load interrupted after %zu of %zu runs; nothing written\n", done.load(), tasks.size());
    return 130;
  }

  // Merged in task order: the same whatever the threads did first.
  std::vector<scenarios::LoadResult> results;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].seed == o.first_seed) {
      results.push_back(std::move(per_task[i]));
    } else {
      scenarios::merge_into(results.back(), per_task[i]);
    }
  }
  for (scenarios::LoadResult& r : results) scenarios::finish(r);

  LoadReportHeader header;
  header.scenario = base.name;
  header.seeds = o.seeds;
  header.first_seed = o.first_seed;
  header.parameters = parameters;
  header.calibration = o.calibration;
  const std::string md = load_markdown(header, shape, results);
  std::printf("%s", md.c_str());
  if (!o.markdown.empty()) write_file_atomically(o.markdown, md);
  if (!o.csv.empty()) write_file_atomically(o.csv, load_csv(results));
  if (!o.json.empty()) write_file_atomically(o.json, load_json(header, results));
  return 0;
}

}  // namespace

void register_load(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<LoadOptions>();
  CLI::App* load = app.add_subcommand(
      "load", "A load script at every point of a parameter grid: success rate, goodput, latency, retry amplification, "
              "recovery after a trigger, per strategy");
  load->add_option("scenario", options->scenario, "A shipped load scenario's name or a script file")->required();
  load->add_option("--strategy", options->strategies,
                   "Only these strategies (repeatable; \"all\" adds the textbook variants; default: the seven)");
  std::string params_help = "A grid axis NAME=V1,V2,... (repeatable; every combination runs). Names:";
  for (const auto& [name, help] : scenarios::load_parameter_help()) params_help += "\n  " + name + ": " + help;
  load->add_option("--param", options->params, params_help);
  load->add_option("--seeds", options->seeds, "Seeds per strategy and point")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  add_seed_option(*load, "--first-seed", options->first_seed, "The first seed");
  load->add_option("--jobs", options->jobs, "Runs in parallel (the results do not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  load->add_option("--bucket", options->bucket, "The width of goodput-over-time buckets (the timeline holds the first 86,400)")
      ->capture_default_str();
  load->add_option("--pivot", options->pivot, "One --param whose values become the table's columns");
  load->add_option("--metric", options->metrics,
                   "With --pivot, what each cell shows: success, goodput, offered, p50, p99, p999, amplification (attempts an "
                   "intent), calls (the same, as a number), completion (median first attempt to last sender's end), charged, "
                   "charge_p50, charge_p99 (first attempt to the charge), shed, "
                   "violations, recovery (comma-separated)")
      ->capture_default_str();
  load->add_option("--calibration", options->calibration, "Calibrate the world from FILE (idemlab calibrate --real)");
  load->add_option("--markdown", options->markdown, "Also write the tables to FILE");
  load->add_option("--csv", options->csv, "Also write FILE: one row per strategy and point");
  load->add_option("--json", options->json, "Also write FILE: everything, with goodput over time, for plots");
  load->callback([options, &commands] { commands.selected = [options] { return run_load(*options); }; });
}

}  // namespace idemlab::cli
