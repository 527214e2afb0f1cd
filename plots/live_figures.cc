// The figures of the simulation beside the live servers: from validate, the
// share of runs whose verdicts agree (with its 95% interval) and the
// attempt latencies simulated and live; from calibrate, each operation's
// live latency, and with --compare the calibrated simulation's latencies
// beside the live ones. The error (simulated less live, a share of live)
// has a figure of its own, so it is read off, not guessed from two bars.
#include <cstdio>

#include "plots/figures.h"

namespace idemlab::plots {
namespace {

double ms(double ns) { return ns / 1e6; }

// Simulated beside live p50 and p99 (the p50s with their p5..p95 spread),
// and the error of each, per strategy.
void sim_vs_live(const std::vector<SimVsLive>& rows, const std::string& stem, const std::string& what,
                 const std::string& source, const std::string& tolerance, Figures& out) {
  Chart latency;
  latency.name = stem + "-latency";
  latency.title = what + ": attempt latency, simulated and live";
  latency.caption = "Per strategy, the p50 (with its p5 to p95 spread) and the p99 of every attempt's latency, in the "
                    "simulation and on the live servers, over the same scenarios and seeds.";
  latency.source = source;
  latency.x_label = "strategy";
  latency.y_label = "attempt latency (ms, log scale)";
  latency.log_y = true;
  Chart error = latency;
  error.name = stem + "-error";
  error.title = what + ": the simulation's latency error";
  error.caption = "Per strategy, simulated less live, as a share of live: 0 is a perfect model, +50% a simulation "
                  "that answers half again as slowly." + tolerance;
  error.y_label = "simulated - live (% of live)";
  error.log_y = false;
  Series sim50{"p50 simulated", {}}, real50{"p50 live", {}}, sim99{"p99 simulated", {}}, real99{"p99 live", {}};
  Series error50{"p50", {}}, error99{"p99", {}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SimVsLive& r = rows[i];
    latency.categories.push_back(r.strategy);
    error.categories.push_back(r.strategy);
    if (r.simulated.samples == 0 || r.real.samples == 0) continue;  // nothing to set beside
    const auto x = static_cast<double>(i);
    sim50.points.emplace_back(x, ms(r.simulated.p50));
    sim50.errors.emplace_back(ms(r.simulated.p5), ms(r.simulated.p95));
    real50.points.emplace_back(x, ms(r.real.p50));
    real50.errors.emplace_back(ms(r.real.p5), ms(r.real.p95));
    sim99.points.emplace_back(x, ms(r.simulated.p99));
    real99.points.emplace_back(x, ms(r.real.p99));
    if (r.real.p50 > 0) error50.points.emplace_back(x, 100 * (r.simulated.p50 - r.real.p50) / r.real.p50);
    if (r.real.p99 > 0) error99.points.emplace_back(x, 100 * (r.simulated.p99 - r.real.p99) / r.real.p99);
  }
  latency.series = {sim50, real50, sim99, real99};
  error.series = {error50, error99};
  out.charts.push_back(std::move(latency));
  out.charts.push_back(std::move(error));
}

}  // namespace

Figures validate_figures(const ValidateResults& v, const std::string& stem) {
  Figures out;
  const std::string source = v.path + " (" + v.command + ")";
  Chart agreement;
  agreement.name = stem + "-agreement";
  agreement.title = "Simulation and live servers: runs whose verdicts agree";
  agreement.caption =
      "Per strategy (n: its runs), the share of runs where the simulation and the live servers agree: the same "
      "invariants violated and, where the faults are targeted, every intent charged as often with the same last "
      "answer. The bar is the 95% Wilson interval of that share.";
  agreement.source = source;
  agreement.x_label = "strategy";
  agreement.y_label = "share of runs agreeing";
  agreement.y_min = 0;
  agreement.y_max = 1.05;
  Series agreeing{"runs agreeing", {}};
  std::vector<SimVsLive> latencies;
  for (std::size_t i = 0; i < v.strategies.size(); ++i) {
    const ValidateStrategy& s = v.strategies[i];
    agreement.categories.push_back(s.latency.strategy + " (n=" + std::to_string(s.runs) + ")");
    latencies.push_back(s.latency);
    if (s.runs == 0) continue;
    agreeing.points.emplace_back(static_cast<double>(i),
                                 static_cast<double>(s.agreeing) / static_cast<double>(s.runs));
    agreeing.errors.push_back(wilson_interval(s.agreeing, s.runs));
  }
  agreement.series.push_back(std::move(agreeing));
  out.charts.push_back(std::move(agreement));
  sim_vs_live(latencies, stem, "validate", source,
              v.calibration.empty() ? " The simulation ran with the scenarios' own latencies (no --calibration)."
                                    : " The simulation ran calibrated with " + v.calibration + ".",
              out);
  return out;
}

Figures calibrate_figures(const CalibrateResults& c, const std::string& stem) {
  Figures out;
  const std::string source = c.path + " (" + c.command + ")";
  Chart operations;
  operations.name = stem + "-operations";
  operations.title = "Live latency of each operation the strategies make";
  operations.caption = "Measured on " + c.machine + ", " + std::to_string(c.samples) +
                       " samples an operation, through real mode's own connections: the p50 with its p5 to p95 "
                       "spread, alone and with " + std::to_string(c.concurrency) +
                       " streams at once (under load). These are the service times the calibrated simulation draws.";
  operations.source = source;
  operations.x_label = "operation";
  operations.y_label = "latency (us, log scale)";
  operations.log_y = true;
  Series alone{"alone", {}}, loaded{"under load", {}};
  for (std::size_t i = 0; i < c.operations.size(); ++i) {
    const CalibratedOperation& op = c.operations[i];
    const auto x = static_cast<double>(i);
    operations.categories.push_back(op.operation);
    alone.points.emplace_back(x, op.alone.p50 / 1e3);
    alone.errors.emplace_back(op.alone.p5 / 1e3, op.alone.p95 / 1e3);
    if (op.under_load) {
      loaded.points.emplace_back(x, op.under_load->p50 / 1e3);
      loaded.errors.emplace_back(op.under_load->p5 / 1e3, op.under_load->p95 / 1e3);
    }
  }
  operations.series = {alone, loaded};
  out.charts.push_back(std::move(operations));
  if (c.compare) {
    char tolerance[160];
    std::snprintf(tolerance, sizeof tolerance, " calibrate's targets: p50 within %.0f%% and p99 within %.0f%% of live.",
                  100 * c.compare->p50_tolerance, 100 * c.compare->p99_tolerance);
    sim_vs_live(c.compare->strategies, stem, "calibrate --compare on " + c.compare->scenario, source, tolerance, out);
  }
  return out;
}

}  // namespace idemlab::plots
