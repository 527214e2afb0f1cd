// `idemlab calibrate --real -o calibration.json`: measures the latency of
// each operation the strategies make on the live servers and writes them in
// the simulator's calibration format: once one call at a time, and once
// under load (--concurrency streams at once). With --compare it then runs a load
// scenario (no faults) with that calibration, in simulation and on the live
// servers, and compares the latency percentiles each strategy's clients see:
// the targets are p50 within 25% and p99 within 50% of the real figure.
// --json FILE writes the measured percentiles and the comparison for idemlab
// plot (idemlab-calibrate/1).
// Exit codes: 0 written (and every target met), 1 a target missed, 2 bad
// input, 3 a server does not answer.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "checks/latency.h"
#include "cli/calibration_option.h"
#include "cli/commands.h"
#include "cli/files.h"
#include "cli/latency_json.h"
#include "cli/server_options.h"
#include "cli/strategy_choice.h"
#include "realmode/calibrate.h"
#include "realmode/interrupt.h"
#include "realmode/real_run.h"
#include "scenarios/shipped.h"

namespace idemlab::cli {
namespace {

constexpr double kP50Tolerance = 0.25;
constexpr double kP99Tolerance = 0.50;

struct CalibrateOptions {
  bool real = false;
  std::string output;
  int samples = 1000;
  int concurrency = 2;
  bool compare = false;
  std::string scenario = "steady_no_faults";
  std::vector<std::string> strategies;
  std::uint64_t sim_seeds = 5;
  std::uint64_t real_runs = 3;
  std::string markdown;
  std::string json;
  std::string command_line;  // what --json records
  ServerFlags servers;
};

// "AMD EPYC 7B13, 2 cores, Linux 6.1": where the figures were measured.
std::string machine_description() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::string kernel;
  std::ifstream("/proc/sys/kernel/osrelease") >> kernel;
  std::string out = model;
  out += ", ";
  out += std::to_string(std::thread::hardware_concurrency());
  out += " cores, Linux ";
  out += kernel;
  return out;
}

double ms(sim::Duration d) { return static_cast<double>(d) / static_cast<double>(sim::kMillisecond); }

bool within(sim::Duration simulated, sim::Duration real, double tolerance) {
  if (real == 0) return simulated == 0;
  return std::fabs(static_cast<double>(simulated - real)) <= tolerance * static_cast<double>(real);
}

std::string signed_percent(sim::Duration simulated, sim::Duration real) {
  char text[32];
  std::snprintf(text, sizeof text, "%+.0f%%",
                real == 0 ? 0.0 : 100.0 * static_cast<double>(simulated - real) / static_cast<double>(real));
  return text;
}

// --compare's results; `into` is $.compare of --json.
int compare(const CalibrateOptions& o, const std::string& calibration, const realmode::Servers& servers,
            nlohmann::ordered_json& into) {
  scenarios::Scenario scenario = scenarios::find_scenario(o.scenario);
  if (!scenario.faults.empty()) throw UsageError(o.scenario + ": --compare needs a scenario without targeted faults");
  if (const std::optional<std::string> refusal = realmode::real_mode_refusal(scenario, servers)) {
    throw UsageError(o.scenario + ": " + *refusal);
  }
  apply_calibration_file(calibration, scenario);
  std::printf("\n%s with %s: attempt latency (ms), simulated (%llu seeds) vs real (%llu runs)\n",
              scenario.name.c_str(), calibration.c_str(), static_cast<unsigned long long>(o.sim_seeds),
              static_cast<unsigned long long>(o.real_runs));
  std::printf("%-32s %8s %8s %7s %8s %8s %7s  %s\n", "strategy", "sim p50", "real p50", "diff", "sim p99", "real p99",
              "diff", "targets");
  std::ostringstream table;
  table << "| strategy | p50 simulated | p50 real | diff | p99 simulated | p99 real | diff | targets met |\n"
           "|---|---|---|---|---|---|---|---|\n";
  int missed = 0;
  into = {{"scenario", scenario.name},     {"calibration", calibration},
          {"sim_seeds", o.sim_seeds},       {"real_runs", o.real_runs},
          {"p50_tolerance", kP50Tolerance}, {"p99_tolerance", kP99Tolerance},
          {"strategies", nlohmann::ordered_json::array()}};
  for (const strategies::StrategyInfo* strategy : strategies_named(o.strategies)) {
    std::vector<sim::Duration> simulated;
    for (std::uint64_t seed = 1; seed <= o.sim_seeds; ++seed) {
      const scenarios::RunReport run = scenarios::run_once(scenario, *strategy, seed, sim::TraceLevel::kOff);
      simulated.insert(simulated.end(), run.latencies.begin(), run.latencies.end());
    }
    std::vector<sim::Duration> real;
    for (std::uint64_t seed = 1; seed <= o.real_runs; ++seed) {
      const scenarios::RunReport run = realmode::run_real(scenario, *strategy, seed, servers);
      real.insert(real.end(), run.latencies.begin(), run.latencies.end());
    }
    const sim::Duration sim50 = checks::percentile(simulated, 0.50), real50 = checks::percentile(real, 0.50);
    const sim::Duration sim99 = checks::percentile(simulated, 0.99), real99 = checks::percentile(real, 0.99);
    const bool met = within(sim50, real50, kP50Tolerance) && within(sim99, real99, kP99Tolerance);
    missed += met ? 0 : 1;
    into["strategies"].push_back({{"strategy", strategy->name},
                                  {"simulated_latency_ns", latency_json(simulated)},
                                  {"real_latency_ns", latency_json(real)},
                                  {"met", met}});
    std::printf("%-32s %8.2f %8.2f %7s %8.2f %8.2f %7s  %s\n", strategy->name.c_str(), ms(sim50), ms(real50),
                signed_percent(sim50, real50).c_str(), ms(sim99), ms(real99), signed_percent(sim99, real99).c_str(),
                met ? "met" : "MISSED");
    std::fflush(stdout);
    char row[256];
    std::snprintf(row, sizeof row, "| %s | %.2f | %.2f | %s | %.2f | %.2f | %s | %s |\n", strategy->name.c_str(),
                  ms(sim50), ms(real50), signed_percent(sim50, real50).c_str(), ms(sim99), ms(real99),
                  signed_percent(sim99, real99).c_str(), met ? "yes" : "**no**");
    table << row;
  }
  if (!o.markdown.empty()) write_file_atomically(o.markdown, table.str());
  std::printf(missed == 0 ? "every target met (p50 within 25%%, p99 within 50%%)\n"
                          : "%d strategies MISSED a target (p50 within 25%%, p99 within 50%%)\n",
              missed);
  return missed == 0 ? 0 : 1;
}

int calibrate(const CalibrateOptions& o) {
  if (!o.real) throw UsageError("calibrate measures the live servers: pass --real");
  check_outputs({{"--output", o.output}, {"--markdown", o.markdown}, {"--json", o.json}});
  const realmode::Servers servers = resolve_servers(o.servers);
  realmode::catch_interrupts();
  const std::string machine = machine_description();
  std::printf("measuring %d samples of each operation, one at a time", o.samples);
  if (o.concurrency > 1) std::printf(" and %d at a time", o.concurrency);
  std::printf(", on %s\n", machine.c_str());
  std::fflush(stdout);
  const realmode::Measurements alone = realmode::measure_latencies(servers, o.samples, 1);
  const realmode::Measurements under_load =
      o.concurrency > 1 ? realmode::measure_latencies(servers, o.samples, o.concurrency) : realmode::Measurements{};
  std::printf("%-26s %10s %10s %10s %14s %14s\n", "operation", "p50 (us)", "p99 (us)", "max (us)", "loaded p50",
              "loaded p99");
  for (const auto& [name, samples] : alone) {
    std::printf("%-26s %10.1f %10.1f %10.1f", name.c_str(), checks::percentile(samples, 0.5) / 1000.0,
                checks::percentile(samples, 0.99) / 1000.0, checks::percentile(samples, 1.0) / 1000.0);
    const auto loaded = under_load.find(name);
    if (loaded != under_load.end()) {
      std::printf(" %14.1f %14.1f", checks::percentile(loaded->second, 0.5) / 1000.0,
                  checks::percentile(loaded->second, 0.99) / 1000.0);
    }
    std::printf("\n");
  }
  write_file_atomically(o.output, realmode::calibration_json(alone, under_load, machine, o.concurrency));
  std::printf("wrote %s\n", o.output.c_str());
  nlohmann::ordered_json compared;  // null without --compare
  const int code = o.compare ? compare(o, o.output, servers, compared) : 0;
  if (!o.json.empty()) {
    nlohmann::ordered_json operations = nlohmann::ordered_json::array();
    for (const auto& [name, samples] : alone) {
      const auto loaded = under_load.find(name);
      operations.push_back({{"operation", name},
                            {"alone_ns", latency_json(samples)},
                            {"under_load_ns", loaded == under_load.end() ? nlohmann::ordered_json()
                                                                         : latency_json(loaded->second)}});
    }
    const nlohmann::ordered_json file = {{"format", "idemlab-calibrate/1"}, {"version", kVersion},
                                         {"command", o.command_line},       {"machine", machine},
                                         {"samples", o.samples},            {"concurrency", o.concurrency},
                                         {"operations", std::move(operations)}, {"compare", std::move(compared)}};
    write_file_atomically(o.json, file.dump(1) + "\n");
  }
  return code;
}

}  // namespace

void register_calibrate(CLI::App& app, Commands& commands) {
  auto options = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Measure the live servers' operation latencies into a calibration file for the simulator");
  cmd->add_flag("--real", options->real, "On the live servers (required)");
  cmd->add_option("-o,--output", options->output, "The calibration file to write")->required();
  cmd->add_option("--samples", options->samples, "Samples per operation")->check(CLI::Range(10, 100000))->capture_default_str();
  cmd->add_option("--concurrency", options->concurrency,
                  "Streams of measurements at once for the figures under load, which the simulator uses while "
                  "another operation is in service (1: measure alone only)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--compare", options->compare,
                "Then compare each strategy's latency percentiles, simulated with the file and real, on --scenario");
  cmd->add_option("--scenario", options->scenario, "The load scenario --compare runs (no targeted faults)")
      ->capture_default_str();
  cmd->add_option("--strategy", options->strategies, "Only these strategies (repeatable)");
  cmd->add_option("--sim-seeds", options->sim_seeds, "Simulated runs per strategy, pooled")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--real-runs", options->real_runs, "Live runs per strategy (seeds 1..N), pooled")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--markdown", options->markdown, "Also write the comparison table to FILE");
  cmd->add_option("--json", options->json,
                  "Also write the percentiles measured and, with --compare, the comparison to FILE (for idemlab plot)");
  add_server_options(*cmd, options->servers);
  cmd->callback([options, &commands] {
    options->command_line = commands.command_line;
    commands.selected = [options] { return calibrate(*options); };
  });
}

}  // namespace idemlab::cli
